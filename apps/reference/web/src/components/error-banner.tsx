import type { JSX } from 'preact';
import { ApiError } from '../api.js';

/** Shows an error from the API as it came: code, message, and each issue with its field. */
export function ErrorBanner(props: { error: unknown }): JSX.Element {
  const error = props.error;
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const issues = error instanceof ApiError ? error.issues : [];
  const full = error instanceof Error ? error.message : String(error);
  // A validation message repeats every issue after " - "; the list below shows them one per line.
  const message = issues.length > 0 ? (full.split(' - ')[0] ?? full) : full;
  return (
    <div class="error-banner" role="alert">
      <b>{code}</b>: {message}
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => (
            <li key={i}>
              <code>{issue.path.join('.') || '(request)'}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
