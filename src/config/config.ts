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
    PUBLIC_URL: urlWithProtocols(
      ['http:', 'https:'],
      'expected the public origin, e.g. https://jiebang.example.org',
    ).optional(),
    TRUST_PROXY: boolFromEnv.default(false),
    DATA_DIR: z.string().min(1).default('./.data'),
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
    DB_POOL_MAX: z.coerce
      .number({ error: 'expected a number' })
      .int()
      .min(1, 'expected ≥ 1')
      .max(200, 'expected ≤ 200')
      .default(10),
  })
  .superRefine((env, ctx) => {
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
