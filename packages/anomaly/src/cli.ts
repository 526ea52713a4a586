#!/usr/bin/env node
// sightline-anomaly: reads `timestamp,value` CSV on stdin, writes one result per line on stdout.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Detector } from './detector.js';
import { CusumDetector } from './cusum-detector.js';
import { ThresholdDetector } from './threshold-detector.js';
import { IqrDetector, RobustZScoreDetector } from './window-detectors.js';
import { ZScoreDetector } from './zscore-detector.js';

const HELP = `sightline-anomaly [--detector zscore|robust|iqr|cusum|threshold] [options] < points.csv

Reads "timestamp,value" lines (epoch ms or ISO time; a header line is skipped) and writes one
line per point: the score (0..1), or with --format json the whole result.

  --detector NAME    zscore (default), robust, iqr, cusum, threshold
  --window N         rolling window in points (zscore, robust, iqr)
  --threshold X      the detector's threshold (|z|, robust |z|, IQR k, CUSUM h)
  --min X, --max X   limits (threshold)
  --format F         score (default) or json
  -h, --help         this help

Exit codes: 0 ok, 1 a line could not be read or was refused (its line number is printed on
stderr), 2 usage error.`;

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
      options: { detector: { type: 'string' }, window: { type: 'string' }, threshold: { type: 'string' }, min: { type: 'string' }, max: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  let detector: Detector;
  try {
    if (format !== 'score' && format !== 'json') throw new UsageError(`--format must be score or json`);
    detector = build(values);
  } catch (error) {
    process.stderr.write(`sightline-anomaly: ${(error as Error).message}\n`);
    return 2;
  }
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const [rawTime = '', rawValue = ''] = line.split(',');
    const timestamp = /^\d+$/.test(rawTime.trim()) ? Number(rawTime) : Date.parse(rawTime.trim());
    const value = Number(rawValue);
    if (lineNumber === 1 && Number.isNaN(timestamp) && Number.isNaN(value)) continue; // header
    try {
      const result = detector.update({ timestamp, value });
      process.stdout.write(format === 'json' ? `${JSON.stringify({ timestamp, value, ...result })}\n` : `${result.score.toFixed(6)}\n`);
    } catch (error) {
      process.stderr.write(`sightline-anomaly: line ${lineNumber}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main();
