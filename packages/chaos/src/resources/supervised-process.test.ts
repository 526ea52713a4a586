import { describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { SupervisedProcess } from './supervised-process.js';

const sleeper = { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] };

describe('SupervisedProcess', () => {
  it('kills the process as a fault and brings a new one back on revert', async () => {
    const proc = new SupervisedProcess(sleeper);
    await proc.start();
    const firstPid = proc.pid;
    const fault = await proc.injectKill();
    expect(proc.running).toBe(false);
    await fault.revert();
    expect(proc.running).toBe(true);
    expect(proc.pid).not.toBe(firstPid);
    await proc.stop();
    expect(proc.running).toBe(false);
  });

  it('restarts after an unexpected exit when restartDelayMs is set', async () => {
    const proc = new SupervisedProcess({ ...sleeper, restartDelayMs: 10 });
    await proc.start();
    await proc.kill();
    for (let i = 0; i < 200 && !proc.running; i += 1) await delay(10);
    expect(proc.running).toBe(true);
    expect(proc.restarts).toBe(1);
    await proc.stop();
  });

  it('reports a command that cannot start with CHAOS_PROCESS_START', async () => {
    await expect(new SupervisedProcess({ command: '/nonexistent/binary' }).start()).rejects.toMatchObject({ code: 'CHAOS_PROCESS_START' });
  });
});
