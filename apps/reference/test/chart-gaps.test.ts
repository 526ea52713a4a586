// Charts draw stretches without data as gaps, never as a value of 0 nor as a line across them.
import { describe, expect, it } from '@jest/globals';
import { contiguousRuns, seriesRuns } from '../web/src/components/chart-runs.js';

describe('chart gaps', () => {
  it('splits a burn-rate series at the points whose window held no events (null)', () => {
    const points = [
      { t: 0, burn: { '5m': null, '1h': 2 } },
      { t: 1, burn: { '5m': 3, '1h': 2 } },
      { t: 2, burn: { '5m': 0, '1h': 2 } },
      { t: 3, burn: { '5m': null, '1h': 1 } },
      { t: 4, burn: { '5m': 5, '1h': 1 } },
    ];
    // A real 0 (events, none bad) is a value; null is a gap.
    expect(seriesRuns(points, '5m')).toEqual([[{ t: 1, v: 3 }, { t: 2, v: 0 }], [{ t: 4, v: 5 }]]);
    expect(seriesRuns(points, '1h')).toHaveLength(1);
    expect(seriesRuns(points, '3d')).toEqual([]);
  });

  it('splits a timeline where a step is more than 1.5 times the usual one', () => {
    const minute = 60_000;
    const at = [0, 1, 2, 3, 7, 8, 9, 12].map((m) => ({ t: m * minute, v: m }));
    // Usual step 1 minute: 3→7 and 9→12 are gaps.
    expect(contiguousRuns(at).map((run) => run.map((p) => p.v))).toEqual([[0, 1, 2, 3], [7, 8, 9], [12]]);
    expect(contiguousRuns([])).toEqual([]);
    expect(contiguousRuns([{ t: 5, v: 1 }])).toEqual([[{ t: 5, v: 1 }]]);
  });
});
