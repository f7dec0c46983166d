import type { z } from 'zod';
import { messages } from '../web/messages.js';
import type { FieldProblem } from './errors.js';

/** Turns zod issues into field-level problems with a Chinese reason each. */
export function zodIssuesToFields(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.map((issue) => ({ field: issue.path.join('.') || '(body)', reason: reasonFor(issue) }));
}

function reasonFor(issue: z.core.$ZodIssue): string {
  const v = messages.validation;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? v.required : v.invalidType(issue.expected);
    case 'too_small':
      return issue.origin === 'string'
        ? v.tooShort(Number(issue.minimum))
        : v.tooSmall(issue.minimum as number);
    case 'too_big':
      return issue.origin === 'string' ? v.tooLong(Number(issue.maximum)) : v.tooBig(issue.maximum as number);
    case 'invalid_value':
      return v.invalidEnum(issue.values);
    case 'unrecognized_keys':
      return v.unknownField(issue.keys);
    case 'invalid_format':
      return issue.format === 'uuid' ? v.invalidUuid : v.invalidFormat;
    case 'custom':
      return issue.message || v.generic;
    default:
      return v.generic;
  }
}

/** Rejects NUL anywhere in a decoded value: PostgreSQL text cannot store it. */
export function containsNul(value: string): boolean {
  return value.includes('\u0000');
}
