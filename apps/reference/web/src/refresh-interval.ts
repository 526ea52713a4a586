/**
 * How often the views refresh themselves (ms). Alone in its module (no DOM, no Preact) so the
 * server-side tests can import it without pulling the browser's types into their compilation.
 */
export const REFRESH_MS = 15_000;
