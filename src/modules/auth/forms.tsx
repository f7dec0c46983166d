import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { zodIssuesToFields } from '../../http/validation.js';
import { messages } from '../../web/messages.js';

/**
 * HTML form plumbing shared by the account and organisation pages: forms post
 * application/x-www-form-urlencoded, are validated with the same zod schemas as the API, and are
 * re-rendered with Chinese field errors (422) instead of an error page.
 */
export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string>;

const MAX_FORM_BYTES = 64 * 1024;

/** Reads a urlencoded form; empty fields are dropped so optional schema fields stay optional. */
export async function readForm(c: Context): Promise<FormValues> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_FORM_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: '表单请使用 application/x-www-form-urlencoded' });
  }
  const body = await c.req.parseBody();
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') continue;
    if (value.includes('\u0000'))
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: key, reason: messages.validation.nulByte }],
      });
    if (value.trim() !== '') values[key] = value;
  }
  return values;
}

export function validateForm<T extends z.ZodType>(
  schema: T,
  values: Record<string, unknown>,
): { ok: true; data: z.output<T> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: toFieldErrors(zodIssuesToFields(result.error.issues)) };
}

function toFieldErrors(fields: { field: string; reason: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const f of fields) errors[f.field] ??= f.reason;
  return errors;
}

/**
 * Turns an expected use-case failure into form errors (field-level, or `_form` for the whole form)
 * plus the status to answer with; anything else is rethrown to the error page.
 */
export function formFailure(error: unknown): {
  status: 401 | 403 | 409 | 422 | 429 | 400;
  errors: FieldErrors;
} {
  if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
  const errors = error.fields.length > 0 ? toFieldErrors(error.fields) : { _form: error.message };
  return { status: error.status as 422, errors };
}

/** Only local paths: `next=//evil.example` or absolute URLs would make the login an open redirect. */
export function safeNext(next: string | undefined, fallback = '/account'): string {
  return next && /^\/(?![/\\])/.test(next) ? next : fallback;
}

export function FormErrors({ errors }: { errors: FieldErrors }) {
  if (Object.keys(errors).length === 0) return null;
  return (
    <div class="form-errors" role="alert">
      {errors._form ?? messages.errors.VALIDATION_FAILED}
    </div>
  );
}

/**
 * An operator's decision on one queued item (verification, claim): an optional reason and two
 * buttons posting `decision`. Repeats on a queue page, so the reason field's id carries the item id.
 */
export function DecisionForm(props: {
  action: string;
  itemId: string;
  reasonLabel: string;
  errors: FieldErrors | undefined;
  approve: { value: string; label: string };
  reject: { value: string; label: string };
}) {
  return (
    <form method="post" action={props.action} class="row">
      <Field
        label={props.reasonLabel}
        name="reason"
        id={`reason-${props.itemId}`}
        errors={props.errors ?? {}}
        maxlength={500}
      />
      {[props.approve, props.reject].map((choice) => (
        <div class="field">
          <button type="submit" name="decision" value={choice.value}>
            {choice.label}
          </button>
        </div>
      ))}
    </form>
  );
}

export function Field(props: {
  label: string;
  name: string;
  /** Element id; pass one when the same form repeats on a page (ids must be unique for labels to work). */
  id?: string;
  type?: string;
  value?: string | undefined;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
}) {
  const error = props.errors?.[props.name];
  const id = props.id ?? `f-${props.name}`;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? '' : (props.value ?? '')}
        required={props.required}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {props.hint && !error && <small class="hint">{props.hint}</small>}
      {error && (
        <small class="error" id={`${id}-error`} data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Select(props: {
  label: string;
  name: string;
  options: Array<[string, string]>;
  value?: string | undefined;
  errors?: FieldErrors;
}) {
  const error = props.errors?.[props.name];
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={`f-${props.name}`}>{props.label}</label>
      <select id={`f-${props.name}`} name={props.name}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Panel(props: { title: string; children: Child; id?: string }) {
  return (
    <section class="panel" id={props.id}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/**
 * Form styles now live in the site stylesheet (src/web/site.css.ts): the CSP's `style-src 'self'`
 * blocks inline `<style>` elements, so an inline block left these pages unstyled (the browser test
 * caught it). Kept as a no-op so the pages that still render it need no change.
 */
export function FormStyles() {
  return null;
}
