import { describe, expect, it } from '@jest/globals';
import type { Anomaly } from '@sightline/core';
import { searchAnomalies, upsertAnomaly } from './anomaly-store.js';
import { useMemoryDb } from '../../test/memory-db.js';

const spike: Anomaly = {
  seriesKey: 'sightline.request.duration.p95{service="checkout",operation="/orders"}',
  detector: 'zscore',
  startsAt: 1_000,
  score: 0.7,
  severity: 'warning',
  value: 900,
  expected: 120,
  lower: 60,
  upper: 300,
  reason: 'p95 900 ms is 5.1 sigma above the mean 120 ms',
  labels: { service: 'checkout', operation: '/orders' },
};

describe('anomaly store', () => {
  const t = useMemoryDb();

  it('extends the open anomaly of a series instead of duplicating it, keeping the peak', async () => {
    await upsertAnomaly(t.db, spike);
    await upsertAnomaly(t.db, { ...spike, score: 0.95, severity: 'critical', value: 1_500 });
    await upsertAnomaly(t.db, { ...spike, score: 0.6, value: 700, endsAt: 3_000 });
    const stored = await searchAnomalies(t.db, { limit: 10 });
    expect(stored).toEqual([expect.objectContaining({ startsAt: 1_000, endsAt: 3_000, score: 0.95, severity: 'critical', value: 1_500 })]);
    // once ended, the next anomaly of the series opens a new row
    await upsertAnomaly(t.db, { ...spike, startsAt: 10_000 });
    expect(await searchAnomalies(t.db, { limit: 10 })).toHaveLength(2);
  });

  it('filters by severity, service and time', async () => {
    await upsertAnomaly(t.db, { ...spike, endsAt: 2_000 });
    await upsertAnomaly(t.db, { ...spike, seriesKey: 'other', severity: 'critical', startsAt: 5_000, labels: { service: 'search' } });
    expect((await searchAnomalies(t.db, { limit: 10, severities: ['critical'] })).map((a) => a.seriesKey)).toEqual(['other']);
    expect((await searchAnomalies(t.db, { limit: 10, service: 'checkout' })).map((a) => a.seriesKey)).toEqual([spike.seriesKey]);
    expect(await searchAnomalies(t.db, { limit: 10, since: 6_000 })).toEqual([]);
  });
});
