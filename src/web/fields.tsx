import { AppError } from '../http/errors.js';
import type { FieldErrors } from '../modules/auth/forms.js';
import { messages } from './messages.js';

/**
 * Form fields beside `Field` and `Select` (src/modules/auth/forms.tsx) for the longer supply-side
 * forms: a textarea and a checkbox, with the same error markup (`data-field-error`).
 */
export function TextArea(props: {
  label: string;
  name: string;
  value?: string | undefined;
  errors?: FieldErrors;
  hint?: string;
  maxlength?: number;
  rows?: number;
}) {
  const error = props.errors?.[props.name];
  const id = `f-${props.name}`;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 5}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
      >
        {props.value ?? ''}
      </textarea>
      {props.hint && !error && <small class="hint">{props.hint}</small>}
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Checkbox(props: {
  label: string;
  name: string;
  checked: boolean;
  value?: string;
  errors?: FieldErrors;
}) {
  const error = props.errors?.[props.name];
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label>
        <input type="checkbox" name={props.name} value={props.value ?? 'on'} checked={props.checked} />{' '}
        {props.label}
      </label>
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

/**
 * Reads a urlencoded form keeping repeated names (checkbox groups) as arrays; empty values are
 * dropped as `readForm` does. Bounded like `readForm`.
 */
export async function readFormLists(
  c: { req: { header(name: string): string | undefined; text(): Promise<string> } },
  listNames: readonly string[],
): Promise<{ values: Record<string, string>; lists: Record<string, string[]> }> {
  if (Number(c.req.header('content-length') ?? '0') > 64 * 1024) throw new AppError('PAYLOAD_TOO_LARGE');
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: '表单请使用 application/x-www-form-urlencoded' });
  const text = await c.req.text();
  if (text.length > 64 * 1024) throw new AppError('PAYLOAD_TOO_LARGE');
  const params = new URLSearchParams(text);
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = Object.fromEntries(listNames.map((n) => [n, []]));
  for (const [key, value] of params) {
    if (value.includes('\u0000'))
      throw new AppError('VALIDATION_FAILED', {
        fields: [{ field: key, reason: messages.validation.nulByte }],
      });
    if (value.trim() === '') continue;
    if (key in lists) lists[key]!.push(value);
    else values[key] = value;
  }
  return { values, lists };
}
