import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { deliverDueMail, mailRetryDelayMs } from '../../src/mail/mail-outbox.js';
import { createSmtpTransport } from '../../src/node/smtp-transport.js';
import { jsonRequest, newUser } from '../support/account-factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/** A real SMTP server on a free loopback port that keeps what it receives (and can be told to refuse). */
interface Received {
  from: string;
  to: string[];
  raw: string;
}
let ctx: TestContext;
let server: SMTPServer;
let port: number;
let received: Received[] = [];
let refuse = false;

beforeAll(async () => {
  ctx = await createTestContext();
  server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      // 451: a temporary failure, as a mail server under maintenance answers.
      if (refuse)
        callback(Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ctx.close();
});
beforeEach(async () => {
  received = [];
  refuse = false;
  // Each test starts with an empty outbox so it only sends its own mail.
  await ctx.db.deleteFrom('outbound_emails').execute();
});

/**
 * "Now" for a drain right after an insert. PostgreSQL stamps created_at in microseconds and a JS Date
 * holds milliseconds, so a row written earlier in this same millisecond sorts after `new Date()` and
 * would not be due yet (CI once caught exactly that). One millisecond on is safely after the insert.
 */
const dueNow = () => new Date(Date.now() + 1);

const transport = () =>
  createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: '揭榜 <noreply@jiebang.example>' });

/** Decodes RFC 2047 encoded words (what nodemailer writes for a Chinese subject). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_h, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}

/** Splits a received message into decoded headers and its base64 plain-text body. */
function parseMessage(raw: string) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of head!.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), decodeWords(line.slice(i + 1).trim()));
  }
  const bodyRaw = rest.join('\r\n\r\n');
  const body = /base64/i.test(headers.get('content-transfer-encoding') ?? '')
    ? Buffer.from(bodyRaw.replace(/\s+/g, ''), 'base64').toString('utf8')
    : bodyRaw;
  return { headers, body };
}

async function mailRows() {
  return ctx.db
    .selectFrom('outbound_emails')
    .select(['id', 'to_address', 'sent_at', 'attempts', 'last_error', 'next_attempt_at'])
    .orderBy('id')
    .execute();
}

describe('SMTP delivery of the mail outbox', () => {
  test('a password reset mail reaches the SMTP server with its Chinese subject and body', async () => {
    const wang = await newUser(ctx.db, 'expert', { email: 'wang.jiaoshou@gzu.example' });
    const res = await ctx.app.request(
      'http://localhost/api/v1/password-resets',
      jsonRequest('POST', { email: wang.email }),
    );
    expect(res.status).toBe(202);

    expect(
      await deliverDueMail({ db: ctx.db, transport: transport(), logger: ctx.deps.logger }, dueNow()),
    ).toBe(1);

    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['wang.jiaoshou@gzu.example']);
    expect(received[0]!.from).toBe('noreply@jiebang.example');
    const { headers, body } = parseMessage(received[0]!.raw);
    expect(headers.get('subject')).toBe('【揭榜】重置密码');
    expect(headers.get('to')).toBe('wang.jiaoshou@gzu.example');
    expect(headers.get('content-type')).toMatch(/text\/plain; charset=utf-8/i);
    expect(body).toContain('有人（希望是您本人）申请重置揭榜平台账号的密码');
    expect(body).toMatch(/\/password\/reset\?token=[a-z2-7]+\.[a-z2-7]+/);
    const [row] = await mailRows();
    expect(row!.sent_at).not.toBeNull();
    expect(row!.attempts).toBe(1);
  });

  test('a refused send stays in the outbox, backs off, and is delivered on a later attempt', async () => {
    await ctx.db
      .insertInto('outbound_emails')
      .values({
        to_address: 'li@society.example',
        subject: '【揭榜】邀请您加入「省茶叶学会」',
        body_text: '您好：请接受邀请。',
        kind: 'invitation',
      })
      .execute();
    const deps = { db: ctx.db, transport: transport(), logger: ctx.deps.logger };
    const now = dueNow();
    refuse = true;
    expect(await deliverDueMail(deps, now)).toBe(1);
    let [row] = await mailRows();
    expect(row!.sent_at).toBeNull();
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toContain('451');
    expect(row!.next_attempt_at!.getTime()).toBe(now.getTime() + mailRetryDelayMs(1));

    // Not due yet: nothing is tried again before the back-off has passed.
    refuse = false;
    expect(await deliverDueMail(deps, new Date(now.getTime() + 1000))).toBe(0);
    expect(received).toHaveLength(0);

    expect(await deliverDueMail(deps, new Date(now.getTime() + mailRetryDelayMs(1) + 1))).toBe(1);
    expect(received).toHaveLength(1);
    expect(parseMessage(received[0]!.raw).headers.get('subject')).toBe('【揭榜】邀请您加入「省茶叶学会」');
    [row] = await mailRows();
    expect(row!.sent_at).not.toBeNull();
    expect(row!.attempts).toBe(2);
    expect(row!.last_error).toBeNull();
  });

  test('an unreachable server loses nothing: the row waits for the next attempt', async () => {
    await ctx.db
      .insertInto('outbound_emails')
      .values({
        to_address: 'zhang@qiancha.example',
        subject: '【揭榜】测试',
        body_text: '正文',
        kind: 'test',
      })
      .execute();
    // Port 1 on loopback: connection refused.
    const down = createSmtpTransport({ url: 'smtp://127.0.0.1:1', from: 'noreply@jiebang.example' });
    expect(await deliverDueMail({ db: ctx.db, transport: down, logger: ctx.deps.logger }, dueNow())).toBe(1);
    const [row] = await mailRows();
    expect(row!.sent_at).toBeNull();
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toMatch(/ECONNREFUSED|connect/i);
  });

  test('two senders draining at once send each mail exactly once', async () => {
    await ctx.db
      .insertInto('outbound_emails')
      .values(
        Array.from({ length: 6 }, (_, i) => ({
          to_address: `expert${i}@gzu.example`,
          subject: `【揭榜】通知 ${i}`,
          body_text: '您有一条新通知',
          kind: 'notification',
        })),
      )
      .execute();
    const deps = { db: ctx.db, transport: transport(), logger: ctx.deps.logger };
    const now = dueNow();
    const [a, b] = await Promise.all([deliverDueMail(deps, now, 3), deliverDueMail(deps, now, 3)]);
    expect(a + b).toBe(6);
    await deliverDueMail(deps, now);
    expect(received.map((r) => r.to[0]).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `expert${i}@gzu.example`).sort(),
    );
    expect((await mailRows()).every((r) => r.sent_at !== null)).toBe(true);
  });
});
