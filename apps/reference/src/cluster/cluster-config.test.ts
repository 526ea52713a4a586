// The `cluster` section of the configuration file: how often replicas compete for the leader lock.
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@sightline/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { DEFAULT_LEADER_CHECK_INTERVAL_MS } from './leader-lease.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sightline-cluster-')), 'sightline.yaml');
  writeFileSync(path, text);
  return path;
}

function issuesOf(text: string): { path: readonly (string | number)[]; code: string }[] {
  try {
    loadConfig({ file: file(text), env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('CONFIG_INVALID');
    return (error as ValidationError).issues.map((i) => ({ path: i.path, code: i.code }));
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('cluster configuration', () => {
  it('checks for the leader every 2 s by default, and as configured', () => {
    expect(loadConfig({ env: {} }).cluster.leaderCheckIntervalMs).toBe(DEFAULT_LEADER_CHECK_INTERVAL_MS);
    expect(DEFAULT_LEADER_CHECK_INTERVAL_MS).toBe(2_000);
    expect(loadConfig({ file: file('cluster: { leaderCheckInterval: 500ms }'), env: {} }).cluster.leaderCheckIntervalMs).toBe(500);
  });

  it('reports a bad interval or an unknown key with its path', () => {
    expect(issuesOf('cluster: { leaderCheckInterval: soon }')).toEqual([{ path: ['cluster', 'leaderCheckInterval'], code: 'CONFIG_DURATION' }]);
    expect(issuesOf('cluster: { leaderCheckInterval: 0s }')).toEqual([{ path: ['cluster', 'leaderCheckInterval'], code: 'CONFIG_RANGE' }]);
    expect(issuesOf('cluster: { leaderKey: 7 }')).toEqual([{ path: ['cluster', 'leaderKey'], code: 'CONFIG_UNKNOWN_KEY' }]);
  });
});
