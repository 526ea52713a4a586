import type { JSX } from 'preact';
import { Link } from '../router.js';

/** "Newest" and "Older" links for a list paginated by the API's `nextBefore` cursor. */
export function Pager(props: { firstHref: string | undefined; nextHref: string | undefined; shown: number }): JSX.Element {
  return (
    <nav class="pager" aria-label="pages">
      {props.firstHref !== undefined ? <Link href={props.firstHref}>« Newest</Link> : <span class="muted">« Newest</span>}
      <span class="muted">{props.shown} shown</span>
      {props.nextHref !== undefined ? <Link href={props.nextHref} class="next">Older »</Link> : <span class="muted">end of results</span>}
    </nav>
  );
}
