/**
 * Token secrets: generated from the base58 alphabet without modulo bias,
 * and stored only as their SHA-256 digest. The secrets carry 28 × log2(58)
 * ≈ 164 bits, so a fast digest is enough (a slow hash protects guessable
 * passwords, which these are not).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Digits 1–9 and the letters without the look-alikes 0, O, I and l. */
export const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Length of a generated secret. */
export const SECRET_LENGTH = 28;

/** What an imported secret (`--secret-stdin`) may look like. */
export const IMPORTED_SECRET = /^[A-Za-z0-9._-]{20,128}$/;

/** A new random secret; `randomInt` draws each character without bias. */
export function generateSecret(): string {
  let out = '';
  for (let i = 0; i < SECRET_LENGTH; i++) out += BASE58[randomInt(BASE58.length)];
  return out;
}

/** The hex SHA-256 digest under which a secret is stored and looked up. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A short random token id, safe to show and log. */
export function generateTokenId(): string {
  return randomBytes(6).toString('hex');
}
