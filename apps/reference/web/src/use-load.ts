import { useEffect, useState } from 'preact/hooks';

/** What a view loaded: the data (kept while reloading), the last error, and whether a load runs. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** When the data shown was loaded (epoch ms, the browser's clock); undefined before the first answer. */
  loadedAt: number | undefined;
  reload: () => void;
}

/** How a view keeps itself fresh. */
export interface LoadOptions {
  /**
   * Reload this long (ms) after the previous load settled, success or error; absent: load only
   * when the key changes or `reload()` is called. Waiting for the answer first means a slow server
   * is never asked again before it has answered.
   */
  refreshMs?: number | undefined;
  /**
   * Keep reloading while the tab is hidden. Default false: a refresh that falls due while hidden
   * waits, and runs as soon as the tab is shown again.
   */
  refreshWhenHidden?: boolean;
}

export { REFRESH_MS } from './refresh-interval.js';

interface State<T> {
  key: string;
  data: T | undefined;
  error: unknown;
  loading: boolean;
  loadedAt: number | undefined;
}

/**
 * Runs `load` when `key` changes, on `reload()`, and — with a refresh interval — periodically.
 * A newer load aborts the older one, so a slow answer never overwrites a newer view; while a
 * reload runs the previous data stays on screen (no flicker back to "Loading…").
 *
 * The third argument is the refresh interval in ms or a {@link LoadOptions} object.
 * @example
 * const { data, error } = useLoad(`logs:${query}`, (signal) => get('/api/v1/logs', query, signal), { refreshMs: REFRESH_MS });
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>, options?: number | LoadOptions): Loaded<T> {
  const { refreshMs, refreshWhenHidden = false } = typeof options === 'number' ? { refreshMs: options } : (options ?? {});
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: undefined, loading: true, loadedAt: undefined });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isDue = false;
    const refresh = () => setTick((t) => t + 1);
    const onVisibility = () => {
      if (isDue && document.visibilityState === 'visible') refresh();
    };
    // The next refresh is armed when this load settles (before its data renders), so the view
    // never asks again before it has its answer, and whoever sees the data knows the timer runs.
    const arm = () => {
      if (refreshMs === undefined) return;
      timer = setTimeout(() => {
        if (refreshWhenHidden || document.visibilityState !== 'hidden') return refresh();
        isDue = true;
        document.addEventListener('visibilitychange', onVisibility);
      }, refreshMs);
    };
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: undefined, error: undefined, loading: true, loadedAt: undefined }));
    load(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        arm();
        setState({ key, data, error: undefined, loading: false, loadedAt: Date.now() });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        arm();
        setState((s) => (s.key === key ? { ...s, error, loading: false } : { key, data: undefined, error, loading: false, loadedAt: undefined }));
      },
    );
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
    // `load` is rebuilt on each render; `key` says when the request really changes.
  }, [key, tick, refreshMs, refreshWhenHidden]);

  const current = state.key === key ? state : { data: undefined, error: undefined, loading: true, loadedAt: undefined };
  return { data: current.data, error: current.error, loading: current.loading, loadedAt: current.loadedAt, reload: () => setTick((t) => t + 1) };
}
