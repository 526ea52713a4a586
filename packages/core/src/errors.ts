/** Details attached to an error: plain, JSON-serialisable data about what went wrong. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The base of every error Sightline throws. `code` is stable across releases (match on it,
 * never on the message); `details` carries the facts as data.
 */
export class SightlineError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SightlineError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { name: string; code: string; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** A path into a document, e.g. `['objectives', 0, 'target']`. */
export type IssuePath = readonly (string | number)[];

/** One validation problem: where it is, what is wrong, and a stable machine-readable code. */
export interface ValidationIssue {
  readonly path: IssuePath;
  readonly message: string;
  readonly code: string;
}

/** Renders a path the way users write it: `objectives[0].target`; the root is `(root)`. */
export function formatIssuePath(path: IssuePath): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/**
 * Thrown when input fails validation. Lists every problem found, each with its path,
 * not just the first one.
 */
export class ValidationError extends SightlineError {
  readonly issues: readonly ValidationIssue[];

  constructor(code: string, subject: string, issues: readonly ValidationIssue[]) {
    const lines = issues.map((i) => `  - ${formatIssuePath(i.path)}: ${i.message} [${i.code}]`);
    const noun = issues.length === 1 ? 'problem' : 'problems';
    super(code, `${subject}: ${issues.length} ${noun}\n${lines.join('\n')}`, { issues });
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/**
 * Collects validation issues so a validator reports them all and throws once.
 * @example
 * const issues = new IssueCollector();
 * if (typeof doc.name !== 'string') issues.add(['name'], 'must be a string', 'NAME_TYPE');
 * issues.throwIfAny('SLO_SPEC_INVALID', 'SLO spec "checkout"');
 */
export class IssueCollector {
  readonly #issues: ValidationIssue[] = [];

  add(path: IssuePath, message: string, code: string): void {
    this.#issues.push({ path: [...path], message, code });
  }

  get issues(): readonly ValidationIssue[] {
    return this.#issues;
  }

  get hasIssues(): boolean {
    return this.#issues.length > 0;
  }

  /** Throws one {@link ValidationError} listing every collected issue; does nothing when clean. */
  throwIfAny(code: string, subject: string): void {
    if (this.#issues.length > 0) throw new ValidationError(code, subject, this.#issues);
  }
}
