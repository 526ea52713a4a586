import { generateFocusBill } from '@sightline/finops';
import type { App } from '../app.js';

const DAY_MS = 86_400_000;
const DAYS = 35;

/**
 * Gives the demo's Costs view a bill to show: a generated FOCUS export of the last 35 days (three
 * providers, team tags with untagged spend, commitments, credits and tax) with an EC2 spike in
 * us-east-1 three days ago, which cost anomaly detection finds and raises as an alert. Runs once
 * per data directory: a restarted demo keeps the bill it has.
 */
export async function seedDemoCosts(app: App, now: number): Promise<void> {
  if ((await app.costs.listImports(1)).some((i) => i.source === 'focus-csv')) return;
  const start = new Date(Math.floor(now / DAY_MS) * DAY_MS - DAYS * DAY_MS).toISOString().slice(0, 10);
  const bill = generateFocusBill({ rows: 20_000, days: DAYS, start, seed: 7, spike: { day: DAYS - 3, serviceName: 'Amazon EC2', regionId: 'us-east-1', factor: 5 } });
  await app.costs.import(bill, { filename: 'demo-focus-export.csv', uploadedBy: 'demo' });
  await app.costs.raiseAnomalyAlerts();
}
