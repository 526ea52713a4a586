// A live demo of @sightline/core until the reference server exists: a simulated checkout service
// whose error ratio rises and recovers, watched over a 30 s window, printed once a second.
import { formatDuration, systemClock } from '@sightline/core';
import { ErrorRatioWatch } from './error-ratio-watch.js';

const watch = new ErrorRatioWatch({ service: 'checkout', clock: systemClock, windowMs: 30_000, threshold: 0.05 });
const started = systemClock.now();
const runForMs = Number(process.env.SIGHTLINE_DEMO_SECONDS ?? 90) * 1_000;

console.log('Sightline core demo: simulated "checkout" traffic, 30s error-ratio window, alert above 5%.');
console.log('An error burst starts at 20s and ends at 45s. Ctrl-C to stop.\n');

const timer = setInterval(() => {
  const elapsed = systemClock.now() - started;
  const inBurst = elapsed >= 20_000 && elapsed < 45_000;
  for (let i = 0; i < 50; i++) watch.record(Math.random() >= (inBurst ? 0.2 : 0.01));
  const changed = watch.check();
  const line = `${formatDuration(Math.round(elapsed / 1_000) * 1_000).padStart(6)}  error ratio ${(watch.errorRatio() * 100).toFixed(2)}%`;
  console.log(changed === undefined ? line : `${line}  ALERT ${changed.status.toUpperCase()}: ${changed.title} [${changed.fingerprint}]`);
  if (elapsed >= runForMs) clearInterval(timer);
}, 1_000);
