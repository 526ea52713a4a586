import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createMessage, extractMessageContext, parseMessage } from './message.js';
import type { MessageKind } from './message.js';

describe('createMessage', () => {
  it('starts a conversation when nothing caused it', () => {
    const message = createMessage('command', 'PlaceOrder', { sku: 'A' }, { id: 'm1' });
    expect(message).toEqual({ kind: 'command', type: 'PlaceOrder', id: 'm1', correlationId: 'm1', payload: { sku: 'A' }, headers: {} });
    expect(Object.isFrozen(message)).toBe(true);
  });

  it('takes correlation and causation from an explicit cause and generates unique ids', () => {
    const a = createMessage('event', 'A', null, { causedBy: { id: 'x', correlationId: 'root' } });
    const b = createMessage('event', 'A', null);
    expect(a.correlationId).toBe('root');
    expect(a.causationId).toBe('x');
    expect(a.id).not.toBe(b.id);
  });

  it('puts the trace context of the given context in its headers', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
    const message = createMessage('event', 'A', null, { context: ctx });
    expect(message.headers).toEqual({ traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` });
    expect(trace.getSpanContext(extractMessageContext(message))?.spanId).toBe('2'.repeat(16));
  });

  it('rejects a bad kind, type or id with TRACING_MESSAGE_INVALID listing every problem', () => {
    let caught: unknown;
    try {
      createMessage('order' as MessageKind, '', null, { id: '' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'TRACING_MESSAGE_INVALID' });
    expect((caught as { issues: { code: string }[] }).issues.map((i) => i.code)).toEqual(['MESSAGE_KIND', 'MESSAGE_TYPE', 'MESSAGE_ID']);
  });
});

describe('parseMessage', () => {
  it('round-trips through JSON', () => {
    const message = createMessage('event', 'OrderPlaced', { n: 1 }, { id: 'e', causedBy: { id: 'c', correlationId: 'c' } });
    expect(parseMessage(JSON.parse(JSON.stringify(message)))).toEqual(message);
  });

  it('rejects malformed envelopes with TRACING_MESSAGE_INVALID and every path', () => {
    expect(() => parseMessage('nope')).toThrow(expect.objectContaining({ code: 'TRACING_MESSAGE_INVALID' }));
    let caught: unknown;
    try {
      parseMessage({ kind: 'x', type: 3, id: 'i', causationId: '', headers: { traceparent: 5 } });
    } catch (error) {
      caught = error;
    }
    expect((caught as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.'))).toEqual([
      'kind',
      'type',
      'correlationId',
      'causationId',
      'payload',
      'headers.traceparent',
    ]);
  });

  it('keeps invalid trace headers but extraction ignores them', () => {
    const message = parseMessage({ kind: 'event', type: 'A', id: 'i', correlationId: 'i', payload: null, headers: { traceparent: 'junk' } });
    expect(extractMessageContext(message)).toBe(ROOT_CONTEXT);
  });
});
