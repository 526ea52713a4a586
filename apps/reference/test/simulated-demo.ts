// Runs the live demo's workload through simulated minutes against a test app: its clock is a
// ManualClock, its pauses are timers on that clock that the loop below fires in time order (a
// discrete-event simulation), and its ticks are run here instead of by setInterval. Spans reach
// the app over OTLP/HTTP as they do from `pnpm start`; nothing sleeps.
import { ManualClock } from '@sightline/core';
import type { App } from '../src/app.js';
import { createDemoWorkload, DEMO_INCIDENT } from '../src/demo/demo-workload.js';

/** Pauses that resolve when the simulation reaches their due time on `clock`. */
class SimulatedTimers {
  readonly #clock: ManualClock;
  readonly #due: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  readonly pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.#due.push({ at: this.#clock.now() + ms, seq: this.#seq++, resolve });
    });

  /** Fires every timer due by `untilMs` in time order, each resumed request running to its next pause. */
  async runUntil(untilMs: number): Promise<void> {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.#due.length; i++) {
        const timer = this.#due[i]!;
        const best = this.#due[next];
        if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) next = i;
      }
      if (next < 0 || this.#due[next]!.at > untilMs) break;
      const [timer] = this.#due.splice(next, 1);
      if (timer!.at > this.#clock.now()) this.#clock.set(timer!.at);
      timer!.resolve();
      // A resumed request is promise chains only: they all run before the next macrotask.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (untilMs > this.#clock.now()) this.#clock.set(untilMs);
  }
}

/** mulberry32: a small seeded PRNG, uniform [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What a simulated run did, in epoch ms. */
export interface SimulatedRun {
  startedAt: number;
  endedAt: number;
  /** When the first incident began and ended (see DEMO_INCIDENT). */
  incident: { from: number; to: number };
}

/**
 * Runs the demo for `minutes` simulated minutes starting at `startedAt`, two requests a second
 * (one per 500 ms tick: a tenth of the live rate, to keep the test quick), exporting spans at the
 * end of every simulated minute; then closes the app's last minutes and waits until every anomaly
 * is stored. Start it far enough in the past that the whole run ends before the app's real now.
 */
export async function runSimulatedDemo(t: { app: App; url: string }, options: { startedAt: number; minutes: number; seed?: number }): Promise<SimulatedRun> {
  const { startedAt, minutes } = options;
  const clock = new ManualClock(startedAt);
  const timers = new SimulatedTimers(clock);
  const workload = createDemoWorkload(t.url, { clock, pause: timers.pause, random: seededRandom(options.seed ?? 7), requestsPerTick: 1 });
  const tickMs = 500;
  let requests = 0;
  try {
    for (let minute = 0; minute < minutes; minute++) {
      for (let at = startedAt + minute * 60_000; at < startedAt + (minute + 1) * 60_000; at += tickMs) {
        await timers.runUntil(at);
        workload.tick();
        requests++;
      }
      await workload.flush();
    }
    // Requests started in the last tick finish (the slowest takes under a second).
    await timers.runUntil(startedAt + minutes * 60_000 + 5_000);
  } finally {
    await workload.stop();
  }
  // An export lost on a busy machine would lose minutes of the series: say so instead of guessing.
  const { services } = (await (await fetch(`${t.url}/api/v1/services?since=${startedAt}`)).json()) as { services: { service: string; requests: number }[] };
  const served = services.find((s) => s.service === 'storefront')?.requests;
  if (served !== requests) throw new Error(`the simulated demo sent ${requests} storefront requests but the app stored ${String(served)}`);
  // The app's clock is the real one: every simulated minute has ended by now.
  void t.app.requestSeries.flush();
  await t.app.requestSeries.settled();
  await t.app.anomalies.settled();
  return {
    startedAt,
    endedAt: startedAt + minutes * 60_000,
    incident: { from: startedAt + DEMO_INCIDENT.firstAtMs, to: startedAt + DEMO_INCIDENT.firstAtMs + DEMO_INCIDENT.durationMs },
  };
}
