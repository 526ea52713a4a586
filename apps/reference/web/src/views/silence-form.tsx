import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { post, type Silence } from '../api.js';
import { ErrorBanner } from '../components/error-banner.js';

/** Expiry choices: label → duration in ms. */
const DURATIONS: readonly (readonly [string, number])[] = [
  ['30 minutes', 30 * 60_000],
  ['1 hour', 3_600_000],
  ['2 hours', 2 * 3_600_000],
  ['4 hours', 4 * 3_600_000],
  ['12 hours', 12 * 3_600_000],
  ['1 day', 86_400_000],
  ['1 week', 7 * 86_400_000],
];
const AUTHOR_KEY = 'sightline.silence.author';

interface Matcher {
  name: string;
  value: string;
}

/** Creates a silence: label matchers (all must match), why, who, and for how long. */
export function SilenceForm(props: { initialMatchers: Record<string, string>; onCreated: (silence: Silence) => void; onCancel: () => void }): JSX.Element {
  const initial = Object.entries(props.initialMatchers).map(([name, value]) => ({ name, value }));
  const [matchers, setMatchers] = useState<Matcher[]>(initial.length > 0 ? initial : [{ name: '', value: '' }]);
  const [comment, setComment] = useState('');
  const [author, setAuthor] = useState(() => localStorage.getItem(AUTHOR_KEY) ?? '');
  const [durationMs, setDurationMs] = useState(3_600_000);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const setMatcher = (i: number, patch: Partial<Matcher>) => setMatchers((list) => list.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Rows left entirely empty are ignored; the server validates the rest (and says which field is wrong).
      const filled = matchers.filter((m) => m.name.trim() !== '' || m.value !== '');
      const body = {
        matchers: Object.fromEntries(filled.map((m) => [m.name.trim(), m.value])),
        comment,
        createdBy: author,
        endsAt: Date.now() + durationMs,
      };
      const silence = await post<Silence>('/api/v1/silences', body);
      if (author.trim() !== '') localStorage.setItem(AUTHOR_KEY, author.trim());
      props.onCreated(silence);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="silence-form" onSubmit={onSubmit} aria-label="new silence">
      <h3>New silence</h3>
      <p class="muted">Alerts whose labels match every matcher are not delivered until the silence expires.</p>
      <fieldset>
        <legend>matchers</legend>
        {matchers.map((m, i) => (
          <div class="matcher" key={i}>
            <input aria-label={`matcher ${i + 1} label`} placeholder="label" value={m.name} onInput={(e) => setMatcher(i, { name: e.currentTarget.value })} />
            <span>=</span>
            <input aria-label={`matcher ${i + 1} value`} placeholder="value" value={m.value} onInput={(e) => setMatcher(i, { value: e.currentTarget.value })} />
            <button type="button" class="link" onClick={() => setMatchers((list) => list.filter((_, j) => j !== i))} disabled={matchers.length === 1} aria-label={`remove matcher ${i + 1}`}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" class="link" onClick={() => setMatchers((list) => [...list, { name: '', value: '' }])}>
          + matcher
        </button>
      </fieldset>
      <label>
        comment
        <input name="comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} placeholder="why (e.g. deploy in progress)" />
      </label>
      <label>
        author
        <input name="createdBy" value={author} onInput={(e) => setAuthor(e.currentTarget.value)} placeholder="your name" />
      </label>
      <label>
        expires in
        <select name="duration" value={String(durationMs)} onChange={(e) => setDurationMs(Number(e.currentTarget.value))}>
          {DURATIONS.map(([label, ms]) => <option key={ms} value={String(ms)}>{label}</option>)}
        </select>
      </label>
      {error !== undefined && <ErrorBanner error={error} />}
      <div class="actions">
        <button type="submit" disabled={busy}>Create silence</button>
        <button type="button" class="link" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
