import { SightlineError, ValidationError, type ValidationIssue } from '@sightline/core';

/** The JSON body of every API error: a stable code, a message, and the issues when validating. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: readonly ValidationIssue[] };
}

/** An error that maps to an HTTP status. */
export class HttpError extends SightlineError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
    this.name = 'HttpError';
  }
}

/** Maps any thrown error to a status and body; unknown errors become 500 without internals. */
export function toApiError(error: unknown): { status: number; body: ApiErrorBody } {
  if (error instanceof HttpError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof ValidationError) return { status: 400, body: { error: { code: error.code, message: error.message, issues: error.issues } } };
  if (error instanceof SightlineError) return { status: 400, body: { error: { code: error.code, message: error.message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error; see the server log' } } };
}
