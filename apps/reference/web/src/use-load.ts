import { useEffect, useState } from 'preact/hooks';

/** What a view loaded: the data (kept while reloading), the last error, and whether a load runs. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `key` changes (and every `refreshMs` when given); a newer load aborts the
 * older one, so a slow answer never overwrites a newer view.
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: unknown; loading: boolean }>({ key, data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: s.key === key ? s.error : undefined, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ key, data, error: undefined, loading: false }),
      (error: unknown) => !controller.signal.aborted && setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, loading: false })),
    );
    const timer = refreshMs === undefined ? undefined : setTimeout(() => setTick((t) => t + 1), refreshMs);
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
    // `load` is rebuilt on each render; `key` says when the request really changes.
  }, [key, tick]);
  const current = state.key === key ? state : { data: undefined, error: undefined, loading: true };
  return { data: current.data, error: current.error, loading: current.loading, reload: () => setTick((t) => t + 1) };
}
