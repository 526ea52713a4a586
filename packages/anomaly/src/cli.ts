#!/usr/bin/env node
// sightline-anomaly: reads `timestamp,value` CSV on stdin, writes one result per line on stdout.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { TimeSeriesPoint } from '@sightline/core';
import type { Detector } from './detector.js';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import { CusumDetector } from './cusum-detector.js';
import { EventGate } from './event-gate.js';
import { describeCleaning, SeriesCleaner, type DuplicatePolicy } from './series-cleaner.js';
import { ThresholdDetector } from './threshold-detector.js';
import { IqrDetector, RobustZScoreDetector } from './window-detectors.js';
import { ZScoreDetector } from './zscore-detector.js';

const HELP = `sightline-anomaly [--detector zscore|robust|iqr|cusum|threshold] [options] < points.csv

Reads "timestamp,value" lines (epoch ms or ISO time; a header line is skipped) and writes one
line per point: the score (0..1), or with --format json the whole result.

Real exports are cleaned first: rows with a repeated timestamp are merged into one point (see
--duplicates), rows older than the previous point and rows with a blank, NaN or unreadable value
or time are skipped. Nothing stops the run: what was merged and skipped, and why, is printed on
stderr at the end. A point is written when the next timestamp arrives (the last at the end).

  --detector NAME    zscore (default), robust, iqr, cusum, threshold
  --window N         rolling window in points (zscore, robust, iqr)
  --threshold X      the detector's threshold (|z|, robust |z|, IQR k, CUSUM h)
  --min X, --max X   limits (threshold)
  --duplicates P     rows sharing a timestamp: mean (default), last or first
  --counter          the values are a cumulative counter: score its per-second rate (resets counted)
  --strict           refuse the first bad row instead (exit 1), as detectors do
  --once             once per event: repeats of a flag are not anomalous until the series has
                     been normal for --reset-after points (default 10); counted on stderr
  --likelihood       write the anomaly likelihood of the recent scores (0..1) instead of the score
  --format F         score (default) or json
  -h, --help         this help

Exit codes: 0 ok, 1 (--strict only) a line could not be read or was refused (its line number is
printed on stderr), 2 usage error.`;

function build(values: Record<string, string | boolean | undefined>): Detector {
  const num = (name: string) => (values[name] === undefined ? undefined : Number(values[name]));
  const window = num('window');
  const threshold = num('threshold');
  const windowOptions = { ...(window === undefined ? {} : { window }), ...(threshold === undefined ? {} : { threshold }) };
  switch (values.detector ?? 'zscore') {
    case 'zscore':
      return new ZScoreDetector({ ...(window === undefined ? {} : { window, warmup: Math.min(window, 30) }), ...(threshold === undefined ? {} : { threshold }) });
    case 'robust':
      return new RobustZScoreDetector(windowOptions);
    case 'iqr':
      return new IqrDetector(windowOptions);
    case 'cusum':
      return new CusumDetector(threshold === undefined ? {} : { threshold });
    case 'threshold': {
      const min = num('min');
      const max = num('max');
      return new ThresholdDetector({ ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
    }
    default:
      throw new UsageError(`unknown detector ${JSON.stringify(values.detector)}`);
  }
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        detector: { type: 'string' },
        window: { type: 'string' },
        threshold: { type: 'string' },
        min: { type: 'string' },
        max: { type: 'string' },
        duplicates: { type: 'string' },
        counter: { type: 'boolean' },
        strict: { type: 'boolean' },
        once: { type: 'boolean' },
        'reset-after': { type: 'string' },
        likelihood: { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`sightline-anomaly: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const format = values.format ?? 'score';
  const duplicates = (values.duplicates ?? 'mean') as DuplicatePolicy;
  const isStrict = values.strict === true;
  let detector: Detector;
  let cleaner: SeriesCleaner;
  let gate: EventGate | undefined;
  let likelihood: AnomalyLikelihood | undefined;
  try {
    if (format !== 'score' && format !== 'json') throw new UsageError(`--format must be score or json`);
    if (isStrict && (values.duplicates !== undefined || values.counter === true)) throw new UsageError('--strict cleans nothing: it cannot be combined with --duplicates or --counter');
    detector = build(values);
    cleaner = new SeriesCleaner({ duplicates, counter: values.counter === true });
    if (values['reset-after'] !== undefined && values.once !== true) throw new UsageError('--reset-after needs --once');
    gate = values.once === true ? new EventGate(values['reset-after'] === undefined ? {} : { resetAfter: Number(values['reset-after']) }) : undefined;
    likelihood = values.likelihood === true ? new AnomalyLikelihood() : undefined;
  } catch (error) {
    process.stderr.write(`sightline-anomaly: ${(error as Error).message}\n`);
    return 2;
  }
  const write = (point: TimeSeriesPoint) => {
    const raw = detector.update(point);
    const result = gate === undefined ? raw : gate.apply(point.timestamp, raw);
    const chance = likelihood?.update(result.score);
    const score = chance === undefined ? result.score : chance.likelihood;
    const json = () => JSON.stringify({ timestamp: point.timestamp, value: point.value, ...result, ...(chance === undefined ? {} : { likelihood: chance.likelihood, logLikelihood: chance.logLikelihood }) });
    process.stdout.write(format === 'json' ? `${json()}\n` : `${score.toFixed(6)}\n`);
  };
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const point = parseRow(line);
    if (lineNumber === 1 && Number.isNaN(point.timestamp) && Number.isNaN(point.value)) continue; // header
    if (isStrict) {
      try {
        write(point);
      } catch (error) {
        process.stderr.write(`sightline-anomaly: line ${lineNumber}: ${(error as Error).message}\n`);
        return 1;
      }
    } else {
      // The cleaner hands on only finite points in strictly increasing time: detectors accept them all.
      const cleaned = cleaner.push(point);
      if (cleaned !== undefined) write(cleaned);
    }
  }
  if (!isStrict) {
    const last = cleaner.flush();
    if (last !== undefined) write(last);
    const events = gate === undefined ? '' : `; ${gate.counts.events} ${gate.counts.events === 1 ? 'event' : 'events'}, ${gate.counts.held} repeated flags held back`;
    process.stderr.write(`sightline-anomaly: ${describeCleaning(cleaner.counts, duplicates)}${events}\n`);
  }
  return 0;
}

/** One CSV row as exporters write it: quoted or not, epoch ms or ISO time; blank or unreadable fields become NaN. */
function parseRow(line: string): TimeSeriesPoint {
  const [rawTime = '', rawValue = ''] = line.split(',').map((field) => field.trim().replace(/^"(.*)"$/, '$1').trim());
  const timestamp = /^\d+$/.test(rawTime) ? Number(rawTime) : Date.parse(rawTime);
  // Number('') is 0: a blank value must not become a zero.
  const value = rawValue === '' ? Number.NaN : Number(rawValue);
  return { timestamp, value };
}

process.exitCode = await main();
