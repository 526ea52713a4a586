// Order matters: the longer, more specific shapes go first, so a uuid is not read as hex and numbers.
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;
const HEX_ID = /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,})\b/gi;
// No trailing \b: units glued to numbers ("2.5s", "12ms") still count as numbers.
const NUMBER = /(?<![A-Za-z0-9_.])-?\d+(?:\.\d+)?/g;

/**
 * Reduces a message to its template, so messages that differ only in their data group together:
 * quoted strings become `<str>`, uuids `<uuid>`, IPv4 addresses `<ip>`, hex ids (8+ hex digits
 * with a letter and a digit, or `0x…`) `<hex>`, and numbers `<num>`.
 * @example messageTemplate('order 42 failed for "ada"') // 'order <num> failed for <str>'
 */
export function messageTemplate(message: string): string {
  return message.replace(QUOTED, '<str>').replace(UUID, '<uuid>').replace(IPV4, '<ip>').replace(HEX_ID, '<hex>').replace(NUMBER, '<num>');
}
