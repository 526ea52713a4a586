/** Which outgoing requests a fault applies to: host (exact or RegExp) and path prefix or RegExp. */
export interface RequestMatch {
  readonly host?: string | RegExp;
  readonly path?: string | RegExp;
}

export function matchesRequest(match: RequestMatch, host: string, path: string): boolean {
  if (match.host !== undefined && !(typeof match.host === 'string' ? match.host === host : match.host.test(host))) return false;
  if (match.path !== undefined && !(typeof match.path === 'string' ? path.startsWith(match.path) : match.path.test(path))) return false;
  return true;
}

/** How a fault names what it matches in its description: ` on host/path`, or nothing for all. */
export function describeMatch(match: RequestMatch | undefined): string {
  if (!match) return '';
  return ` on ${String(match.host ?? '*')}${String(match.path ?? '')}`;
}
