/** The stable `code` of what `fn` throws, or `undefined` if it does not throw (tests only). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}
