import { SightlineError } from '@sightline/core';
import { CusumDetector } from './cusum-detector.js';
import { DailyPatternDetector } from './daily-pattern-detector.js';
import { DefaultDetector } from './default-detector.js';
import { EnsembleDetector } from './ensemble-detector.js';
import { SeasonalDetector } from './seasonal-detector.js';
import { ThresholdDetector } from './threshold-detector.js';
import type { Detector, DetectorSnapshot } from './detector.js';
import { PatternDetector } from './pattern-detector.js';
import { IqrDetector, RobustZScoreDetector } from './window-detectors.js';
import { ZScoreDetector } from './zscore-detector.js';

/** Rebuilds any detector from its snapshot (e.g. after the app restarts). */
export function restoreDetector(snapshot: DetectorSnapshot): Detector {
  switch (snapshot.kind) {
    case 'zscore':
      return ZScoreDetector.restore(snapshot);
    case 'cusum':
      return CusumDetector.restore(snapshot);
    case 'robust_zscore':
      return RobustZScoreDetector.restore(snapshot);
    case 'iqr':
      return IqrDetector.restore(snapshot);
    case 'seasonal':
      return SeasonalDetector.restore(snapshot);
    case 'threshold':
      return ThresholdDetector.restore(snapshot);
    case 'pattern':
      return PatternDetector.restore(snapshot);
    case 'daily_pattern':
      return DailyPatternDetector.restore(snapshot);
    case 'default':
      return DefaultDetector.restore(snapshot);
    case 'ensemble': {
      const members = (snapshot.state as { members?: unknown }).members;
      if (!Array.isArray(members)) throw new SightlineError('ANOMALY_STATE_INVALID', 'An ensemble snapshot needs its members', { kind: snapshot.kind });
      return EnsembleDetector.restore(snapshot, members.map((m) => restoreDetector(m as DetectorSnapshot)));
    }
    default:
      throw new SightlineError('ANOMALY_STATE_INVALID', `Unknown detector kind ${JSON.stringify(snapshot.kind)}`, { kind: snapshot.kind });
  }
}
