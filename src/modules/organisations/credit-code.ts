/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters over a 31-symbol charset (no I, O, S, V, Z); the
 * 18th is a check character over the first 17 with weights 3^i mod 31. The database enforces the same
 * rule (is_valid_uscc) so no path can store an invalid code.
 *
 * @example
 *   isValidCreditCode('91350100M000100Y43') // true
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function creditCodeCheckCharacter(first17: string): string {
  let total = 0;
  for (let i = 0; i < 17; i++) total += CHARSET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return CHARSET[(31 - (total % 31)) % 31]!;
}

export type CreditCodeProblem = 'length' | 'characters' | 'check_character';

/** Returns null when valid, otherwise which rule failed (so the UI can say exactly what is wrong). */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return 'length';
  if (!SHAPE.test(code)) return 'characters';
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17] ? null : 'check_character';
}

export const isValidCreditCode = (code: string) => creditCodeProblem(code) === null;
