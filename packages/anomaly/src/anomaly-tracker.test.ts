import { describe, expect, it } from '@jest/globals';
import type { DetectorResult } from './detector.js';
import { AnomalyTracker } from './anomaly-tracker.js';

const result = (anomalous: boolean, score = anomalous ? 0.8 : 0.1): DetectorResult => ({ score, anomalous, expected: 10, lower: 5, upper: 15, reason: anomalous ? `score ${score}` : 'within the expected band', warmingUp: false });

/** Feeds a pattern ('x' anomalous, '.' normal), one point a minute; returns the event types. */
function run(tracker: AnomalyTracker, pattern: string) {
  return [...pattern].map((c, i) => tracker.observe(i * 60_000, i, result(c === 'x'))?.type?.[0] ?? '-').join('');
}

describe('AnomalyTracker', () => {
  it('opens on the first anomalous point and closes at the first normal one by default', () => {
    expect(run(new AnomalyTracker({ seriesKey: 's', detector: 'zscore' }), '.xx..x.')).toBe('-ouc-oc');
  });

  it('with closeAfter keeps a flickering excursion one anomaly, ended at its first normal point', () => {
    const tracker = new AnomalyTracker({ seriesKey: 's', detector: 'zscore', closeAfter: 3 });
    const events = [...'xx.x..x...'].map((c, i) => tracker.observe(i * 60_000, i, result(c === 'x')));
    expect(events.map((e) => e?.type[0] ?? '-').join('')).toBe('ou-u--u--c');
    // the last anomalous point is at minute 6; the closing run of 3 normal points starts at minute 7
    expect(events[9]!.anomaly).toEqual(expect.objectContaining({ startsAt: 0, endsAt: 7 * 60_000 }));
  });

  it('never throws on a data quirk: ignores late and non-finite timestamps, counts a NaN score as 0', () => {
    const tracker = new AnomalyTracker({ seriesKey: 's', detector: 'zscore' });
    expect(tracker.observe(600_000, 1, result(true))?.type).toBe('opened');
    expect(tracker.observe(60_000, 1, result(false))).toBeUndefined(); // late: does not close it
    expect(tracker.observe(Number.NaN, 1, result(false))).toBeUndefined();
    expect(tracker.observe(660_000, 2, result(true, Number.NaN))?.anomaly.score).toBe(0.8);
    expect(tracker.observe(720_000, 3, result(false))?.type).toBe('closed');
  });

  it('rejects a bad closeAfter', () => {
    expect(() => new AnomalyTracker({ seriesKey: 's', detector: 'd', closeAfter: 0 })).toThrow(expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID' }));
  });
});
