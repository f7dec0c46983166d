import { expect, test } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';

test('attachments default to ./.data/uploads; S3 settings are optional', () => {
  const config = parseConfig({});
  expect(config.STORAGE_DIR).toBe('./.data/uploads');
  expect(config.S3_ENDPOINT).toBeUndefined();
  expect(config.S3_REGION).toBe('auto');
});

test('S3_ENDPOINT without bucket and keys names each missing variable', () => {
  try {
    parseConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'S3_ACCESS_KEY_ID',
      'S3_BUCKET',
      'S3_SECRET_ACCESS_KEY',
    ]);
  }
});

test('a bad endpoint or bucket name is refused', () => {
  expect(() =>
    parseConfig({
      S3_ENDPOINT: 'ftp://x',
      S3_BUCKET: 'Bad_Bucket',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
    }),
  ).toThrow(/S3_ENDPOINT[\s\S]*S3_BUCKET|S3_BUCKET[\s\S]*S3_ENDPOINT/);
});
