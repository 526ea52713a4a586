import { afterEach, describe, expect, it } from '@jest/globals';
import { codeOf } from '../../test/support/codes.js';
import { exchange, startEchoServer } from '../../test/support/sockets.js';
import { TcpProxy } from './tcp-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(onConnection?: Parameters<typeof startEchoServer>[0]) {
  const echo = await startEchoServer(onConnection);
  cleanups.push(echo.close);
  const proxy = await TcpProxy.start({ name: 'echo', upstream: echo.address, seed: 3 });
  cleanups.push(() => proxy.close());
  return proxy;
}

describe('TcpProxy', () => {
  it('forwards bytes both ways with no toxics', async () => {
    const proxy = await setup();
    const result = await exchange(proxy.port, 'hello', 5);
    expect(result.received.toString()).toBe('hello');
  });

  it('latency toxic delays the reply by at least the configured latency', async () => {
    const proxy = await setup();
    const fault = proxy.injectToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 120, jitter: 0 } });
    const result = await exchange(proxy.port, 'ping', 4);
    expect(result.received.toString()).toBe('ping');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(115);
    expect(fault.stats().matched).toBe(1);
    await fault.revert();
    expect(proxy.toxics()).toEqual([]);
    expect(fault.active).toBe(false);
  });

  it('bandwidth toxic limits throughput to the configured KB/s', async () => {
    const proxy = await setup();
    proxy.addToxic({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 100 } });
    const payload = Buffer.alloc(20 * 1024, 1);
    const result = await exchange(proxy.port, payload, payload.length);
    // 20 KB at 100 KB/s = 200 ms at least
    expect(result.received.length).toBe(payload.length);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
  });

  it('slow_close delays the close the client sees', async () => {
    const proxy = await setup((socket) => socket.end('bye'));
    proxy.addToxic({ type: 'slow_close', stream: 'downstream', attributes: { delay: 150 } });
    const result = await exchange(proxy.port, 'hi');
    expect(result.received.toString()).toBe('bye');
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(145);
  });

  it('timeout toxic stops data and closes the connection after the timeout', async () => {
    const proxy = await setup();
    proxy.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeout: 100 } });
    const result = await exchange(proxy.port, 'lost');
    expect(result.received.length).toBe(0);
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(95);
  });

  it('slicer toxic delivers the data in several slices', async () => {
    const proxy = await setup();
    proxy.addToxic({ type: 'slicer', stream: 'downstream', attributes: { average_size: 10, size_variation: 0, delay: 10_000 } });
    const payload = 'x'.repeat(100);
    const result = await exchange(proxy.port, payload, 100);
    expect(result.received.toString()).toBe(payload);
    expect(result.chunks).toBeGreaterThan(1);
    // 10 slices with 10 ms between them: at least 9 gaps
    expect(result.elapsedMs).toBeGreaterThanOrEqual(85);
  });

  it('limit_data toxic closes the connection after the byte limit', async () => {
    const proxy = await setup();
    proxy.addToxic({ type: 'limit_data', stream: 'downstream', attributes: { bytes: 10 } });
    const result = await exchange(proxy.port, 'y'.repeat(100));
    expect(result.received.length).toBe(10);
    expect(result.closed).toBe(true);
  });

  it('reset_peer toxic resets the client connection', async () => {
    const proxy = await setup();
    proxy.addToxic({ type: 'reset_peer', stream: 'downstream', attributes: { timeout: 50 } });
    const result = await exchange(proxy.port, 'z');
    expect(result.error).toBe('ECONNRESET');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(45);
  });

  it('toxicity 0 leaves connections untouched; toxics added later apply to open connections', async () => {
    const proxy = await setup();
    const skipped = proxy.injectToxic({ name: 'never', type: 'reset_peer', toxicity: 0 });
    const result = await exchange(proxy.port, 'ok', 2);
    expect(result.received.toString()).toBe('ok');
    expect(skipped.stats().matched).toBe(0);
    await skipped.revert();
  });

  it('rejects invalid toxics and addresses with stable codes', async () => {
    const proxy = await setup();
    expect(codeOf(() => proxy.addToxic({ type: 'packet_loss' }))).toBe('CHAOS_TOXIC_INVALID');
    expect(codeOf(() => proxy.addToxic({ type: 'latency', toxicity: 2 }))).toBe('CHAOS_TOXIC_INVALID');
    expect(codeOf(() => proxy.addToxic({ type: 'latency', attributes: { latency: -1 } }))).toBe('CHAOS_TOXIC_INVALID');
    proxy.addToxic({ type: 'latency' });
    expect(codeOf(() => proxy.addToxic({ type: 'latency' }))).toBe('CHAOS_TOXIC_EXISTS');
    expect(codeOf(() => new TcpProxy({ name: 'x', upstream: 'nohost' }))).toBe('CHAOS_PROXY_INVALID');
  });
});
