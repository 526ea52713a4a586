// History routing: the server falls back to index.html for any page path, so /traces/<id>
// survives a reload. Filters live in the query string, so every view is a link you can share.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Where the page is: the path and its query parameters. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Route => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/** Goes to `href` (a path with an optional query) without reloading the page. */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const listener = () => setRoute(current());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return route;
}

/** `path?query` with empty values left out. */
export function href(path: string, query: Record<string, string | number | boolean | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '' && value !== false) params.set(key, String(value));
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

/**
 * An in-app link: a real <a> (open in a new tab works) that navigates without a reload.
 * `current` is its `aria-current`: `page` on the link to the page shown, `true` on the link to
 * the section it is in.
 */
export function Link(props: { href: string; class?: string; children: ComponentChildren; title?: string; current?: 'page' | 'true' | undefined }): JSX.Element {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} title={props.title} aria-current={props.current} onClick={onClick}>
      {props.children}
    </a>
  );
}
