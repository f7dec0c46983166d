import type { FieldErrors } from '../auth/forms.js';

/**
 * Form fields for pages that repeat one form many times (a score per bid, a reason per milestone):
 * the input sits inside its label, so every copy is labelled without an `id`, which would repeat.
 */
export function InlineField(props: {
  label: string;
  name: string;
  type?: string;
  value?: string | undefined;
  errors?: FieldErrors | undefined;
  maxlength?: number;
}) {
  const error = props.errors?.[props.name];
  return (
    <label class={error ? 'field invalid' : 'field'}>
      <span>{props.label}</span>
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
      />
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </label>
  );
}

export function InlineTextArea(props: {
  label: string;
  name: string;
  value?: string | undefined;
  errors?: FieldErrors | undefined;
  rows?: number;
}) {
  const error = props.errors?.[props.name];
  return (
    <label class={error ? 'field invalid' : 'field'}>
      <span>{props.label}</span>
      <textarea name={props.name} rows={props.rows ?? 3} aria-invalid={error ? 'true' : undefined}>
        {props.value ?? ''}
      </textarea>
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </label>
  );
}
