import { createFaultActions, exportToChaosMesh, parseExperiment, sloProbeFunction, startExperiment, TcpProxy, validateExperiment, type ActivityFunction, type Experiment, type ExperimentRun, type Journal } from '@sightline/chaos';
import { SightlineError, type Clock } from '@sightline/core';
import { randomUUID } from 'node:crypto';
import type { SloWatch } from '../slo/slo-watch.js';
import { probeReadings, type ProbeReading } from './probe-readings.js';
import type { Database } from '../storage/database.js';

/** A stored run: running until its journal arrives. */
export interface ChaosRunRow {
  id: string;
  title: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  journal: Journal | null;
}

/** One run as the API answers it: the row, and each steady-state probe's values against its tolerance. */
export interface ChaosRunDetail extends ChaosRunRow {
  probes: ProbeReading[];
}

/**
 * Chaos experiments run by the app (`@sightline/chaos`) against what it can reach: TCP proxies it
 * opens in front of a service's dependencies (network faults), HTTP probes, and its own SLOs as
 * probes (`{ type: function, name: "slo:<name>" }`, failing when the SLO's page alert fires or its
 * budget is spent). Runs and their journals are stored in `chaos_runs`.
 */
export class ChaosRuns {
  readonly proxies = new Map<string, TcpProxy>();
  readonly #db: Database;
  readonly #slos: SloWatch;
  readonly #clock: Clock;
  readonly #running = new Map<string, { run: ExperimentRun; done: Promise<void> }>();

  constructor(options: { db: Database; slos: SloWatch; clock: Clock }) {
    this.#db = options.db;
    this.#slos = options.slos;
    this.#clock = options.clock;
  }

  /** Functions experiments may name: `injectFault` (on the app's proxies) and `slo:<name>` probes. */
  registry(): Record<string, ActivityFunction> {
    const probes: Record<string, ActivityFunction> = {};
    for (const spec of this.#slos.specs()) {
      const tracker = this.#slos.engine.get(spec.name);
      if (tracker !== undefined) probes[`slo:${spec.name}`] = sloProbeFunction(tracker) as unknown as ActivityFunction;
    }
    return { ...createFaultActions({ proxies: Object.fromEntries(this.proxies) }), ...probes };
  }

  /** Validates and starts an experiment (object, or YAML/JSON text); `CHAOS_*` errors when invalid. */
  async start(input: unknown): Promise<{ id: string; title: string }> {
    const experiment: Experiment = typeof input === 'string' ? parseExperiment(input) : validateExperiment(input);
    const id = randomUUID();
    await this.#db.query(`insert into chaos_runs (id, title, status, started_at, experiment) values ($1, $2, 'running', $3, $4::jsonb)`, [id, experiment.title, this.#clock.now(), JSON.stringify(experiment)]);
    const run = startExperiment(experiment, { registry: this.registry(), maxConcurrentFaults: 3 });
    const done = run.journal
      .then((journal) => this.#db.query(`update chaos_runs set status = $2, ended_at = $3, journal = $4::jsonb where id = $1`, [id, journal.status, this.#clock.now(), JSON.stringify(journal)]))
      .then(() => undefined)
      .finally(() => this.#running.delete(id));
    this.#running.set(id, { run, done });
    return { id, title: experiment.title };
  }

  /** Resolves when run `id` has finished and its journal is stored (tests, CLI waits). */
  async settled(id: string): Promise<void> {
    await this.#running.get(id)?.done;
  }

  abort(id: string): boolean {
    const running = this.#running.get(id);
    running?.run.abort('aborted over the API');
    return running !== undefined;
  }

  async list(limit: number): Promise<Omit<ChaosRunRow, 'journal'>[]> {
    return this.#db.query(`select id, title, status, started_at, ended_at from chaos_runs order by started_at desc limit $1`, [limit]);
  }

  async get(id: string): Promise<ChaosRunDetail | undefined> {
    const [row] = await this.#db.query<ChaosRunRow & { experiment: Experiment | null }>(`select id, title, status, started_at, ended_at, journal, experiment from chaos_runs where id = $1`, [id]);
    if (row === undefined) return undefined;
    const { experiment, ...run } = row;
    return { ...run, probes: probeReadings(experiment, run.journal) };
  }

  /** Opens a TCP proxy named `name` in front of `upstream` (`host:port`); network faults target it by name. */
  async openProxy(name: string, upstream: string): Promise<{ name: string; listen: string; upstream: string }> {
    if (this.proxies.has(name)) throw new SightlineError('CHAOS_PROXY_EXISTS', `A proxy named ${JSON.stringify(name)} is open already`);
    const proxy = await TcpProxy.start({ name, upstream });
    this.proxies.set(name, proxy);
    return { name, listen: `127.0.0.1:${proxy.port}`, upstream };
  }

  /** Chaos Mesh manifests for an experiment's faults, and what could not be translated. */
  exportChaosMesh(input: unknown): ReturnType<typeof exportToChaosMesh> {
    const experiment = typeof input === 'string' ? parseExperiment(input) : validateExperiment(input);
    return exportToChaosMesh(experiment);
  }

  /** Aborts running experiments (their rollbacks run) and closes the proxies. */
  async close(): Promise<void> {
    for (const { run } of this.#running.values()) run.abort('the app is stopping');
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
    await Promise.allSettled([...this.proxies.values()].map((p) => p.close()));
  }
}
