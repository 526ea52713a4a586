import { describe, expect, it } from '@jest/globals';
import type { DetectorResult } from './detector.js';
import { EventGate } from './event-gate.js';
import { ZScoreDetector } from './zscore-detector.js';

/** Feeds a pattern of verdicts ('x' flagged, '.' normal), one per minute; returns the admitted ones. */
const run = (gate: EventGate, pattern: string) => [...pattern].map((c, i) => (gate.admit(i * 60_000, c === 'x') ? 'A' : c === 'x' ? 'h' : '.')).join('');

describe('EventGate', () => {
  it('lets the first flag of an excursion through and holds back its repeats', () => {
    expect(run(new EventGate({ resetAfter: 3 }), '..xxxxxx....')).toBe('..Ahhhhh....');
  });

  it('keeps a flickering excursion as one event until the series is normal for resetAfter points', () => {
    // gaps of 1 and 2 normal points do not end the event; 3 do
    expect(run(new EventGate({ resetAfter: 3 }), 'xx.x..xx...x')).toBe('Ah.h..hh...A');
  });

  it('lets a long event through again after holdPoints points, or holdMs, since its last admitted flag', () => {
    expect(run(new EventGate({ holdPoints: 4 }), 'xxxxxxxxxx')).toBe('AhhhAhhhAh');
    // one point a minute: 3 minutes of hold
    expect(run(new EventGate({ holdMs: 180_000 }), 'xxxxxxx')).toBe('AhhAhhA');
    expect(run(new EventGate({ holdPoints: 10, holdMs: 120_000 }), 'xxxxx')).toBe('AhAhA');
  });

  it('turns a lasting level shift scored by a detector into one event', () => {
    const detector = new ZScoreDetector({ window: 30 });
    const gate = new EventGate();
    let flags = 0;
    let admitted = 0;
    for (let i = 0; i < 200; i++) {
      const value = (i >= 100 && i < 120 ? 100 : 10) + (i % 3);
      const raw = detector.update({ timestamp: i * 60_000, value });
      const gated = gate.apply(i * 60_000, raw);
      if (raw.anomalous) flags++;
      if (gated.anomalous) admitted++;
      if (raw.anomalous && !gated.anomalous) expect(gated.reason).toMatch(/^held back: same event as the flag at 1970-01-01T01:40:00.000Z/);
    }
    expect(flags).toBeGreaterThanOrEqual(3); // the shift is flagged on its first rows, until the window absorbs it
    expect(admitted).toBe(1);
    expect(gate.counts).toEqual({ events: 1, held: flags - 1 });
  });

  it('passes warm-up results through untouched', () => {
    const warming: DetectorResult = { score: 0, anomalous: false, expected: 1, lower: 1, upper: 1, reason: 'warming up', warmingUp: true };
    const gate = new EventGate();
    expect(gate.apply(0, warming)).toBe(warming);
    expect(gate.snapshot().state.points).toBe(0);
  });

  it('restores from a JSON snapshot mid-event and continues identically', () => {
    const a = new EventGate({ resetAfter: 2, holdPoints: 5 });
    run(a, 'x.xx');
    const b = EventGate.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.isInEvent).toBe(true);
    expect(run(b, 'xx..xxxxxxx')).toBe(run(a, 'xx..xxxxxxx'));
    expect(b.counts).toEqual(a.counts);
  });

  it('rejects bad options, listing every problem, and foreign state', () => {
    expect(() => new EventGate({ resetAfter: 0, holdPoints: 1.5, holdMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ANOMALY_OPTIONS_INVALID', message: expect.stringMatching(/resetAfter.*holdPoints.*holdMs/) }),
    );
    expect(() => EventGate.restore({ kind: 'zscore', options: {}, state: {} } as never)).toThrow(expect.objectContaining({ code: 'ANOMALY_STATE_INVALID' }));
  });
});
