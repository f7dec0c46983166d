import { messages } from '../web/messages.js';

/**
 * One error vocabulary for the whole platform. Domain code throws `AppError` with a stable `code`;
 * one table maps codes to HTTP status; `renderProblem` turns it into RFC 9457 problem+json for the
 * API, and the web layer renders the same code as a Chinese page.
 *
 * @example
 *   throw new AppError('CHALLENGE_NOT_FOUND');
 *   throw new AppError('VALIDATION_FAILED', { fields: [{ field: 'reward_wan', reason: '不能为负数' }] });
 */
export const errorStatus = {
  VALIDATION_FAILED: 422,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_ID: 400,
  NOT_FOUND: 404,
  CHALLENGE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  INSUFFICIENT_SCOPE: 403,
  CSRF_REJECTED: 403,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  CREDIT_CODE_TAKEN: 409,
  LAST_ADMIN: 409,
  ALREADY_DECIDED: 409,
  EXPERT_PROFILE_CLAIMED: 409,
  CLAIM_PENDING: 409,
  TOKEN_INVALID: 400,
  ORGANISATION_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  MATCHING_UNAVAILABLE: 503,
  EXPERT_NOT_FOUND: 404,
  SOCIETY_NOT_FOUND: 404,
  CAPABILITY_NOT_FOUND: 404,
  CAPABILITY_STATE_CONFLICT: 409,
  SERVICE_TEAM_NOT_FOUND: 404,
  IMPORT_RUN_NOT_FOUND: 404,
  STATION_NOT_FOUND: 404,
  STATION_STATE_CONFLICT: 409,
  ATTACHMENT_NOT_FOUND: 404,
  ATTACHMENT_TOO_LARGE: 413,
  ATTACHMENT_TYPE_NOT_ALLOWED: 415,
  ATTACHMENT_LIMIT_REACHED: 409,
  ATTACHMENTS_LOCKED: 409,
  STORAGE_UNAVAILABLE: 503,
  SERVICE_RECORD_NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  CHALLENGE_STATE_CONFLICT: 409,
  CHALLENGE_CLOSED: 409,
  ALREADY_AWARDED: 409,
  DUPLICATE_BID: 409,
  TEAM_NOT_CONFIRMED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  ORGANISATION_NOT_VERIFIED: 403,
  BID_NOT_FOUND: 404,
  MILESTONE_NOT_FOUND: 404,
  QUESTION_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  SAVED_SEARCH_NOT_FOUND: 404,
  SAVED_SEARCH_LIMIT_REACHED: 409,
  DATABASE_UNAVAILABLE: 503,
  SEARCH_UNAVAILABLE: 503,
  NOT_READY: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldProblem {
  field: string;
  reason: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly fields: FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    options: { fields?: FieldProblem[]; detail?: string; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(options.detail ?? messages.errors[code], { cause: options.cause });
    this.name = 'AppError';
    this.status = errorStatus[code];
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: FieldProblem[];
}

export function toProblem(error: AppError, instance?: string, requestId?: string): Problem {
  return {
    type: `https://jiebang.example/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: messages.errors[error.code],
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(requestId ? { request_id: requestId } : {}),
    ...(error.fields.length > 0 ? { errors: error.fields } : {}),
  };
}

/** PostgreSQL/pg errors that mean "the database is away", not "the request was bad". */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * Classifies an unknown thrown value. Client-caused database errors (bad text encoding, out-of-range
 * numbers) become 4xx as a last line of defence behind zod validation; unreachable services become 503.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && connectionErrorCodes.has(code)) {
    return new AppError('DATABASE_UNAVAILABLE', { retryAfterSeconds: 5, cause: error });
  }
  if (/timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(message)) {
    return new AppError('DATABASE_UNAVAILABLE', { retryAfterSeconds: 5, cause: error });
  }
  // 22021: invalid byte sequence (e.g. NUL); 22P02: invalid text representation; 22003: out of range.
  if (code === '22021' || code === '22P02' || code === '22003' || code === '22001') {
    return new AppError('VALIDATION_FAILED', { cause: error });
  }
  if ((error as { name?: string } | null)?.name?.startsWith('Meilisearch')) {
    return new AppError('SEARCH_UNAVAILABLE', { retryAfterSeconds: 5, cause: error });
  }
  return new AppError('INTERNAL', { cause: error });
}
