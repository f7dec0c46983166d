import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64 } from '@oslojs/encoding';
import { argon2id } from 'hash-wasm';
import { messages } from '../../web/messages.js';
import { commonPasswords } from './common-passwords.js';

/**
 * Password hashing with argon2id through `hash-wasm` (pure WebAssembly, no native addon), so the
 * Node server and the Workers deployment compute and verify the same hashes.
 *
 * Parameters follow the OWASP password storage cheat sheet's first argon2id option: m = 19 MiB,
 * t = 2, p = 1, 32-byte output, 16-byte random salt. They are stored in each PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so raising them later needs no migration:
 * old hashes verify with their own parameters and are re-hashed at the next login.
 *
 * @example
 *   const stored = await hashPassword('茶园里的小绿叶蝉2026');
 *   await verifyPassword(stored, '茶园里的小绿叶蝉2026'); // true
 */
export const argon2Parameters = {
  memorySize: 19_456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
} as const;

export const PASSWORD_MIN_LENGTH = 10;
/** Long passphrases are welcome; the cap only bounds hashing work per request. */
export const PASSWORD_MAX_LENGTH = 128;

export async function hashPassword(password: string): Promise<string> {
  const salt = new Uint8Array(16);
  crypto.getRandomValues(salt);
  return argon2id({ password: password.normalize('NFKC'), salt, ...argon2Parameters, outputType: 'encoded' });
}

const phc = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Verifies in constant time over the hash bytes (hash-wasm's own verify compares strings). */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const match = phc.exec(stored);
  if (!match) return false;
  const salt = decodeBase64Loose(match[4]!);
  const expected = decodeBase64Loose(match[5]!);
  const actual = await argon2id({
    password: password.normalize('NFKC'),
    salt,
    memorySize: Number(match[1]),
    iterations: Number(match[2]),
    parallelism: Number(match[3]),
    hashLength: expected.length,
    outputType: 'binary',
  });
  return actual.length === expected.length && constantTimeEqual(actual, expected);
}

/** True when a stored hash uses weaker parameters than today's (re-hash after a successful login). */
export function needsRehash(stored: string): boolean {
  const match = phc.exec(stored);
  return (
    !match || Number(match[1]) < argon2Parameters.memorySize || Number(match[2]) < argon2Parameters.iterations
  );
}

let dummyHash: Promise<string> | undefined;
/**
 * Verifies against a fixed dummy hash: called when the account does not exist, so a login for an
 * unknown email costs the same argon2 work as one for a real account (no timing oracle).
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('jiebang-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}

function decodeBase64Loose(value: string): Uint8Array {
  const padded = value + '='.repeat((4 - (value.length % 4)) % 4);
  return decodeBase64(padded);
}

/**
 * Why a new password is refused, in Chinese, or null when it is acceptable: length bounds, the
 * common-password list (also with trailing digits/symbols stripped: 'password2026!' is still
 * 'password'), and not the user's own email or name.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}) {
  const m = messages.password;
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return m.tooShort(PASSWORD_MIN_LENGTH);
  if (length > PASSWORD_MAX_LENGTH) return m.tooLong(PASSWORD_MAX_LENGTH);
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (commonPasswords.has(lower) || (stem.length >= 4 && commonPasswords.has(stem))) return m.common;
  if (/^(.)\1+$/u.test(password)) return m.common;
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (lower === context.email?.toLowerCase() || (local && local.length >= 4 && lower.startsWith(local)))
    return m.containsEmail;
  if (context.name && lower === context.name.toLowerCase()) return m.containsEmail;
  return null;
}
