import type { FieldErrors } from '../modules/auth/forms.js';
import { messages } from './messages.js';

/**
 * Pickers for references (organisations, counties, experts, challenges): server-rendered `<select>`
 * (grouped by `<optgroup>`, e.g. prefecture → county) and checkbox lists that work without
 * JavaScript. `PickerScript` adds a type-to-filter box above each one; it is a first-party file, so
 * the pages that use it allow `script-src 'self'` and nothing inline (see `pageAllowsScript`).
 *
 * @example
 * <PickerSelect label="所在区县" name="region_code" groups={[{ label: '遵义市', options: [['520328', '湄潭县']] }]} />
 */
export const PICKER_SCRIPT_PATH = '/assets/picker.js';

/**
 * Paths whose pages may load first-party scripts (the picker): the station pages, including the
 * form posts that re-render them with errors. Every other page keeps `script-src 'none'`.
 */
export const pageAllowsScript = (path: string) =>
  path.startsWith('/stations/') || path.startsWith('/service-records/');

export type PickerOption = [value: string, label: string];
export interface PickerGroup {
  label: string;
  options: PickerOption[];
}

interface Region {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
}

/**
 * Regions as picker groups, one per prefecture (市州) with its counties. With `wholePrefecture` the
 * province and each prefecture itself are offered too, for who serves a whole province or city (a
 * society, an expert); a station sits in one county, so its form leaves them out.
 */
export function regionGroups(regions: Region[], options: { wholePrefecture?: boolean } = {}): PickerGroup[] {
  // Who serves the whole province (a provincial society, 省级学会) picks 贵州省 itself.
  const province = options.wholePrefecture
    ? regions
        .filter((r) => r.level === 'province')
        .map((r) => ({
          label: r.name,
          options: [[r.code, messages.picker.wholeProvince(r.name)] as PickerOption],
        }))
    : [];
  return [
    ...province,
    ...regions
      .filter((r) => r.level === 'prefecture')
      .map((prefecture) => ({
        label: prefecture.name,
        options: [
          ...(options.wholePrefecture
            ? [[prefecture.code, messages.picker.wholePrefecture(prefecture.name)] as PickerOption]
            : []),
          ...regions
            .filter((r) => r.level === 'county' && r.parent_code === prefecture.code)
            .map((r): PickerOption => [r.code, r.name]),
        ],
      })),
  ];
}

export function PickerSelect(props: {
  label: string;
  name: string;
  groups: PickerGroup[];
  value?: string | undefined;
  errors?: FieldErrors;
  hint?: string;
  /** Label of the empty first option; the field is then required by its schema, not by the browser. */
  empty?: string;
}) {
  const error = props.errors?.[props.name];
  const id = `f-${props.name}`;
  const option = ([value, label]: PickerOption) => (
    <option value={value} selected={value === props.value}>
      {label}
    </option>
  );
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        data-picker={props.name}
        data-picker-placeholder={messages.picker.filter}
        aria-invalid={error ? 'true' : undefined}
      >
        <option value="">{props.empty ?? messages.picker.choose}</option>
        {/* A stored value the options no longer offer (a retired code) stays selected, so saving the
            form again does not silently clear it. */}
        {props.value && !props.groups.some((g) => g.options.some(([value]) => value === props.value)) && (
          <option value={props.value} selected>
            {props.value}
          </option>
        )}
        {props.groups.map((g) =>
          g.label === '' ? (
            g.options.map(option)
          ) : (
            <optgroup label={g.label}>{g.options.map(option)}</optgroup>
          ),
        )}
      </select>
      {props.hint && !error && <small class="hint">{props.hint}</small>}
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function PickerChecklist(props: {
  label: string;
  name: string;
  options: Array<{ value: string; label: string; detail?: string }>;
  values: readonly string[];
  errors?: FieldErrors;
  hint?: string;
  empty: string;
}) {
  const error = props.errors?.[props.name];
  const chosen = new Set(props.values);
  return (
    <fieldset class={error ? 'field invalid picker-list' : 'field picker-list'}>
      <legend>{props.label}</legend>
      {props.options.length === 0 ? (
        <p class="empty">{props.empty}</p>
      ) : (
        <div class="picker-items" data-picker={props.name} data-picker-placeholder={messages.picker.filter}>
          {props.options.map((o) => (
            <label data-picker-item>
              <input type="checkbox" name={props.name} value={o.value} checked={chosen.has(o.value)} />{' '}
              {o.label}
              {o.detail && <small> {o.detail}</small>}
            </label>
          ))}
        </div>
      )}
      {props.hint && !error && <small class="hint">{props.hint}</small>}
      {error && (
        <small class="error" data-field-error={props.name}>
          {error}
        </small>
      )}
    </fieldset>
  );
}

export function PickerScript() {
  return <script src={PICKER_SCRIPT_PATH} defer />;
}

/** The progressive enhancement: a filter box above each `[data-picker]`, matching label text and group names. */
export const pickerScript = `(function () {
  var lower = function (s) { return (s || '').toLowerCase(); };
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  each(document.querySelectorAll('[data-picker]'), function (box) {
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'picker-filter';
    input.placeholder = box.getAttribute('data-picker-placeholder') || '';
    input.setAttribute('aria-label', input.placeholder);
    input.setAttribute('data-picker-filter', box.getAttribute('data-picker') || '');
    box.parentNode.insertBefore(input, box);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
    input.addEventListener('input', function () {
      var q = lower(input.value.trim());
      if (box.tagName === 'SELECT') {
        var firstHit = null;
        each(box.options, function (o) {
          if (!o.value) return;
          var group = o.parentNode.tagName === 'OPTGROUP' ? lower(o.parentNode.label) : '';
          var hit = !q || lower(o.textContent).indexOf(q) >= 0 || group.indexOf(q) >= 0;
          o.hidden = !hit;
          if (hit && !firstHit) firstHit = o;
        });
        each(box.querySelectorAll('optgroup'), function (g) {
          g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
        });
        if (q && firstHit && (!box.value || box.selectedOptions[0].hidden)) box.value = firstHit.value;
      } else {
        each(box.querySelectorAll('[data-picker-item]'), function (item) {
          var checked = item.querySelector('input:checked');
          item.hidden = !(checked || !q || lower(item.textContent).indexOf(q) >= 0);
        });
      }
    });
  });
})();
`;
