// How numbers and times read on the page.

/** `14:03:07` today, `Nov 24 14:03:07` otherwise. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString([], { hour12: false });
  return date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** A duration in ms as `850 µs`, `12.3 ms`, `4.20 s` or `3.5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1_000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A ratio 0..1 as a percentage with two decimals. */
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(2)}%`;

/** A per-second rate. */
export const formatRate = (perSecond: number): string => (perSecond >= 10 ? perSecond.toFixed(0) : perSecond >= 0.1 ? perSecond.toFixed(2) : perSecond.toFixed(3)) + '/s';

/** Time left until `ms` as `2h 05m`, `12m`, or `expired`. */
export function formatRemaining(ms: number, now: number): string {
  const left = ms - now;
  if (left <= 0) return 'expired';
  const minutes = Math.round(left / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.round(hours / 24)}d`;
}

/** The windows offered by every `since` picker (values the API parses as durations back from now). */
export const SINCE_CHOICES = ['15m', '1h', '6h', '24h', '7d'] as const;

/** Micro-units as `1,234.56`; exact to the cent for any safe integer. */
export function formatMoney(micros: number, currency = ''): string {
  const cents = Math.round(micros / 10_000);
  const text = (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === '' ? text : `${text} ${currency}`;
}

/** An instant with its date always: `Nov 3 09:00` (and the year when it is not this year's). */
export function formatDateTime(ms: number): string {
  const date = new Date(ms);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  const day = date.toLocaleDateString([], { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
  return `${day} ${date.toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit' })}`;
}

/** A count of events as a whole number with thousands separators, rounded up (`1,581`). */
export const formatCount = (n: number): string => Math.ceil(n - 1e-9).toLocaleString('en-US');
