import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@sightline/core';
import { DetectorRegistry } from './detector-registry.js';
import { anomalyToAlert, severityOf } from './anomaly-tracker.js';
import { ZScoreDetector } from './zscore-detector.js';

describe('DetectorRegistry', () => {
  it('keeps one detector per series and groups consecutive anomalous points into one anomaly', () => {
    const registry = new DetectorRegistry({ create: () => new ZScoreDetector({ window: 10, warmup: 10 }), impact: () => 'high' });
    const events = [];
    let t = 0;
    const values = [...Array.from({ length: 20 }, (_, i) => 100 + (i % 3)), 200, 210, 101, 100];
    for (const value of values) {
      const { event } = registry.update('latency{service="checkout"}', { timestamp: (t += 60_000), value }, { service: 'checkout' });
      if (event) events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['opened', 'updated', 'closed']);
    const closed = events[2]!.anomaly;
    expect(closed.startsAt).toBe(21 * 60_000);
    expect(closed.endsAt).toBe(23 * 60_000);
    expect(closed.labels).toEqual({ service: 'checkout' });
    expect(closed.value).toBe(200); // the peak: the first outlier had the highest score
    expect(closed.severity).toBe('critical');

    // as core Alerts: the opening fires, the closing resolves the same alert
    const opened = anomalyToAlert(events[0]!.anomaly, { title: 'checkout latency anomalous' });
    const resolved = anomalyToAlert(closed);
    expect(opened.status).toBe('firing');
    expect(resolved.status).toBe('resolved');
    expect(resolved.fingerprint).toBe(opened.fingerprint);
    expect(opened.labels).toEqual({ service: 'checkout', series: 'latency{service="checkout"}', detector: 'zscore' });
  });

  it('bounds memory: evicts the least recently updated series past maxSeries, and idle series', () => {
    const clock = new ManualClock(0);
    const registry = new DetectorRegistry({ create: () => new ZScoreDetector(), maxSeries: 3, idleMs: 60_000, clock });
    for (const key of ['a', 'b', 'c']) registry.update(key, { timestamp: 1, value: 1 });
    registry.update('a', { timestamp: 2, value: 1 });
    registry.update('d', { timestamp: 1, value: 1 }); // evicts b, the least recently updated
    expect(registry.size).toBe(3);
    expect(registry.evicted).toBe(1);
    clock.advance(30_000);
    registry.update('d', { timestamp: 2, value: 1 });
    clock.advance(40_000);
    expect(registry.evictIdle()).toBe(2); // a and c were last updated 70 s ago
    expect(registry.size).toBe(1);
  });

  it('maps score and impact to severity', () => {
    expect(severityOf(0.5)).toBe('info');
    expect(severityOf(0.6)).toBe('warning');
    expect(severityOf(0.6, 'high')).toBe('error');
    expect(severityOf(0.85, 'low')).toBe('error');
    expect(severityOf(0.9, 'high')).toBe('critical');
  });
});
