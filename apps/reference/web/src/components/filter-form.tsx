import type { ComponentChildren, JSX } from 'preact';
import { navigate } from '../router.js';

/**
 * A search form whose fields are named after query parameters: submitting navigates to `path`
 * with the filled fields (cursor dropped), so the URL always states the search.
 */
export function FilterForm(props: { path: string; children: ComponentChildren; label: string }): JSX.Element {
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(event.currentTarget as HTMLFormElement)) {
      if (typeof value === 'string' && value.trim() !== '') params.set(key, value.trim());
    }
    const qs = params.toString();
    navigate(qs === '' ? props.path : `${props.path}?${qs}`);
  };
  return (
    <form class="filters" onSubmit={onSubmit} aria-label={props.label}>
      {props.children}
      <button type="submit">Search</button>
    </form>
  );
}

/**
 * A `since` picker offering `choices`, plus "any time" when `allowAll`.
 *
 * Filter fields are uncontrolled (`defaultValue`, `selected`): a controlled `value` is written
 * back on every re-render, so data arriving while someone types would wipe what they typed.
 * The form's `key` is the query string, so a navigation still remounts it with the new values.
 */
export function SinceSelect(props: { value: string; choices: readonly string[]; allowAll?: boolean }): JSX.Element {
  return (
    <label>
      since
      <select name="since">
        {props.allowAll === true && <option value="all" selected={props.value === 'all'}>any time</option>}
        {props.choices.map((c) => (
          <option key={c} value={c} selected={props.value === c}>
            last {c}
          </option>
        ))}
      </select>
    </label>
  );
}
