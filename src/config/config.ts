import { z } from 'zod';

/**
 * Every environment variable the platform reads, validated once at start.
 * Entry points (src/server.ts, src/worker.ts, CLIs) call {@link parseConfig}; nothing else reads the
 * environment. A bad value stops the process with one message naming every bad variable.
 *
 * @example
 *   const config = parseConfig(process.env); // throws ConfigError listing each problem
 */
const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const urlWithProtocols = (protocols: string[], hint: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, hint);

export const configSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], { error: 'expected development, production or test' })
      .default('development'),
    PORT: z.coerce
      .number({ error: 'expected a port number' })
      .int('expected a whole number')
      .min(0, 'expected 0-65535')
      .max(65535, 'expected 0-65535')
      .default(3000),
    HOST: z.string().trim().min(1, 'expected a host name or address').default('127.0.0.1'),
    DATABASE_URL: urlWithProtocols(
      ['postgres:', 'postgresql:'],
      'expected a postgres:// URL, e.g. postgres://user:pass@127.0.0.1:5432/jiebang',
    ).optional(),
    MEILI_URL: urlWithProtocols(
      ['http:', 'https:'],
      'expected an http(s):// URL, e.g. http://127.0.0.1:7700',
    ).optional(),
    MEILI_MASTER_KEY: z
      .string()
      .min(16, 'expected at least 16 bytes (Meilisearch refuses shorter master keys)')
      .optional(),
    MEILI_INDEX_PREFIX: z
      .string()
      .regex(/^[a-z0-9_]*$/, 'expected lowercase letters, digits and _ only')
      .default(''),
    /** Embedded Meilisearch only: indexing threads (default: half the cores, so searches keep a core). */
    MEILI_MAX_INDEXING_THREADS: z.coerce
      .number({ error: 'expected a whole number of threads, e.g. 1' })
      .int('expected a whole number of threads, e.g. 1')
      .min(1, 'expected at least 1')
      .max(256, 'expected at most 256')
      .optional(),
    /** Embedded Meilisearch only: indexing memory cap, e.g. "512 MiB" or "2 GiB". */
    MEILI_MAX_INDEXING_MEMORY: z
      .string()
      .regex(/^\d+ ?(B|KiB|MiB|GiB|KB|MB|GB)$/, 'expected a size such as "512 MiB" or "2 GiB"')
      .default('512 MiB'),
    PUBLIC_URL: urlWithProtocols(
      ['http:', 'https:'],
      'expected the public origin, e.g. https://jiebang.example.org',
    ).optional(),
    TRUST_PROXY: boolFromEnv.default(false),
    DATA_DIR: z.string().min(1).default('./.data'),
    /** Attachments: a local directory by default; an S3-compatible bucket when S3_ENDPOINT is set. */
    STORAGE_DIR: z.string().min(1).default('./.data/uploads'),
    S3_ENDPOINT: urlWithProtocols(
      ['http:', 'https:'],
      'expected an http(s):// URL, e.g. https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:9000',
    ).optional(),
    S3_BUCKET: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'expected a bucket name (3-63 lowercase letters, digits, . or -)',
      )
      .optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_REGION: z.string().min(1).default('auto'),
    SEED_DEMO: boolFromEnv.optional(),
    LOG_LEVEL: z
      .enum(['debug', 'info', 'warn', 'error', 'silent'], {
        error: 'expected debug, info, warn, error or silent',
      })
      .default('info'),
    OUTBOX_POLL_MS: z.coerce
      .number({ error: 'expected milliseconds' })
      .int()
      .min(20, 'expected ≥ 20')
      .max(60000, 'expected ≤ 60000')
      .default(250),
    // Mail: with SMTP_URL or SMTP_HOST the Node server delivers the mail outbox by SMTP; without, mail
    // stays in outbound_emails (development).
    SMTP_URL: urlWithProtocols(
      ['smtp:', 'smtps:'],
      'expected smtp://user:pass@host:587 or smtps://…:465',
    ).optional(),
    SMTP_HOST: z.string().trim().min(1).optional(),
    SMTP_PORT: z.coerce.number({ error: 'expected a port number' }).int().min(1).max(65535).optional(),
    SMTP_USER: z.string().optional(),
    SMTP_PASS: z.string().optional(),
    SMTP_FROM: z
      .string()
      .trim()
      .min(3, 'expected a sender address, e.g. 揭榜 <noreply@jiebang.example>')
      .optional(),
    DB_POOL_MAX: z.coerce
      .number({ error: 'expected a number' })
      .int()
      .min(1, 'expected ≥ 1')
      .max(200, 'expected ≤ 200')
      .default(10),
  })
  .superRefine((env, ctx) => {
    if (env.S3_ENDPOINT) {
      for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const)
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required with S3_ENDPOINT' });
    }
    if (env.NODE_ENV === 'production' && (!env.DATABASE_URL || !env.MEILI_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.DATABASE_URL ? 'MEILI_URL' : 'DATABASE_URL'],
        message: 'required when NODE_ENV=production (embedded services are for development and tests)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'required when NODE_ENV=production (links in mails)',
      });
    }
    if ((env.SMTP_URL || env.SMTP_HOST) && !env.SMTP_FROM) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'required with SMTP_URL or SMTP_HOST' });
    }
    if (env.MEILI_URL && !env.MEILI_MASTER_KEY && env.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['MEILI_MASTER_KEY'],
        message: 'required with MEILI_URL in production',
      });
    }
  });

export type Config = Readonly<z.output<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; expected: string }>) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.expected}`).join('\n')}\nSee README.md "Environment variables".`,
    );
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings are how shells unset things (`FOO= npm start`): treat them as absent.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(environment)',
        expected: issue.message,
      })),
    );
  }
  return Object.freeze(result.data);
}
