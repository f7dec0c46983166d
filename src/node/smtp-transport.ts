import type { Transporter } from 'nodemailer';
import type { MailTransport } from '../mail/mail-outbox.js';

/**
 * SMTP delivery for the mail outbox (Node only: Workers cannot open raw TCP to a mail server the
 * way nodemailer needs, so a Workers-only deployment leaves the outbox to a Node process or a future
 * HTTP mail API transport). Configured by SMTP_URL (`smtp://user:pass@host:587`, `smtps://…:465`) or
 * SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASS; SMTP_FROM is the sender address.
 *
 * @example
 *   const transport = createSmtpTransport({ url: 'smtp://127.0.0.1:2525', from: '揭榜 <noreply@jiebang.example>' });
 */
export interface SmtpSettings {
  url?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  pass?: string | undefined;
  from: string;
  /** Refuse to send without STARTTLS (default: only when the server offers it). */
  requireTls?: boolean | undefined;
}

export function createSmtpTransport(settings: SmtpSettings): MailTransport & { close(): void } {
  // Loaded on the first mail, not at start: nodemailer adds ~15 MiB to the resident memory of a
  // server that may never send one (SMTP unset, or the outbox idle).
  let transporter: Promise<Transporter> | undefined;
  const connect = async () => {
    const { default: nodemailer } = await import('nodemailer');
    return settings.url
      ? nodemailer.createTransport(settings.url)
      : nodemailer.createTransport({
          host: settings.host,
          port: settings.port ?? 587,
          secure: settings.port === 465,
          requireTLS: settings.requireTls ?? false,
          ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
        });
  };
  return {
    async send(mail) {
      transporter ??= connect();
      // Plain text, UTF-8: nodemailer encodes the Chinese subject (RFC 2047) and body (quoted-printable/base64).
      await (await transporter).sendMail({
        from: settings.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        textEncoding: 'base64',
      });
    },
    close: () => void transporter?.then((t) => t.close()),
  };
}

/** The SMTP settings from the parsed config, or null when SMTP is not configured (mail stays in the outbox). */
export function smtpSettingsFrom(config: {
  SMTP_URL?: string | undefined;
  SMTP_HOST?: string | undefined;
  SMTP_PORT?: number | undefined;
  SMTP_USER?: string | undefined;
  SMTP_PASS?: string | undefined;
  SMTP_FROM?: string | undefined;
}): SmtpSettings | null {
  if (!config.SMTP_URL && !config.SMTP_HOST) return null;
  return {
    url: config.SMTP_URL,
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    user: config.SMTP_USER,
    pass: config.SMTP_PASS,
    from: config.SMTP_FROM ?? 'noreply@localhost',
  };
}
