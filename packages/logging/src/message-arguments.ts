import { format } from 'node:util';
import { SPLAT } from 'triple-beam';
import { setOwn } from './internal/own-property.js';
import type { Redactor } from './redaction.js';

// The placeholders util.format understands; `%%` is an escaped percent sign and takes no argument.
const PLACEHOLDERS = /%[scdjifoO%]/g;

/** A winston `info` as far as the extra call arguments are concerned. */
export interface InfoWithArguments {
  message?: unknown;
  [SPLAT]?: unknown;
  [field: string]: unknown;
}

/**
 * Folds the extra arguments of a call (`logger.info('user %s logged in', 'bob', { id })`, which
 * winston keeps in `info[SPLAT]`) into the message and the fields, so none is dropped silently:
 * arguments for `%s`-style placeholders are interpolated with `util.format` (objects redacted by
 * key first, so a `%j` cannot print a password), objects after them become fields, an `Error`
 * becomes the `error` field, and any other argument is appended to the message. Returns the
 * message text (redacting it is the caller's job); sets the fields on `info`, which winston created
 * for this call.
 */
export function applyMessageArguments(info: InfoWithArguments, message: string, redactor: Redactor): string {
  const args = info[SPLAT];
  if (!Array.isArray(args) || args.length === 0) return message;
  const tokens = message.match(PLACEHOLDERS);
  let expected = 0;
  if (tokens !== null) for (const token of tokens) if (token !== '%%') expected++;
  // winston already merged the first argument into `info` when it is an object and the message has
  // no token at all (its own test, which counts `%%`): merging it again would overwrite `message`.
  const mergedByWinston = tokens === null && typeof args[0] === 'object' && args[0] !== null;
  let text = message;
  if (expected > 0) {
    const used: unknown[] = [];
    for (let i = 0; i < expected && i < args.length; i++) {
      const arg: unknown = args[i];
      used.push(typeof arg === 'object' && arg !== null ? redactor.redactValue(arg) : arg);
    }
    text = format(message, ...used);
  }
  for (let i = expected; i < args.length; i++) {
    if (i === 0 && mergedByWinston) continue;
    const arg: unknown = args[i];
    if (arg instanceof Error) {
      if (info.error === undefined) info.error = arg;
      else text += ` ${arg.message}`;
    } else if (typeof arg === 'object' && arg !== null) {
      for (const key of Object.keys(arg)) {
        if (key !== 'level' && key !== 'message') setOwn(info, key, (arg as Record<string, unknown>)[key]);
      }
    } else {
      text += ` ${String(arg)}`;
    }
  }
  return text;
}
