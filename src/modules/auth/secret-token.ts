import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/**
 * `<id>.<secret>` tokens shared by sessions, API tokens, password resets and invitations (the Lucia
 * guide's shape). The id finds the row; only SHA-256 of the secret is stored, and the comparison is
 * constant-time so response timing does not leak how many bytes of a guess were right.
 *
 * @example
 *   const token = newSecretToken();          // { id, secret, secretHash, value: 'id.secret' }
 *   const parsed = parseSecretToken(value);  // { id, secret } | null
 *   secretMatches(parsed.secret, row.secret_hash);
 */
export interface SecretToken {
  id: string;
  secret: string;
  secretHash: Uint8Array;
  /** What the holder keeps: `<id>.<secret>` (with the prefix, if any). */
  value: string;
}

/** 20 random bytes = 160 bits, base32 (lower case, no padding): comfortably above the 128 bits asked for. */
export function randomString(bytes = 20): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

export function newSecretToken(prefix = ''): SecretToken {
  const id = randomString(15);
  const secret = randomString(20);
  return { id, secret, secretHash: hashSecret(secret), value: `${prefix}${id}.${secret}` };
}

const tokenShape = /^([a-z2-7]{16,40})\.([a-z2-7]{26,64})$/;

/** Returns null for anything that is not a well-formed token (expected failure, not an exception). */
export function parseSecretToken(value: string, prefix = ''): { id: string; secret: string } | null {
  if (!value.startsWith(prefix)) return null;
  const match = tokenShape.exec(value.slice(prefix.length));
  if (!match) return null;
  return { id: match[1]!, secret: match[2]! };
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const computed = hashSecret(secret);
  // Lengths are public (always 32); constantTimeEqual needs equal lengths.
  return computed.length === storedHash.length && constantTimeEqual(computed, storedHash);
}
