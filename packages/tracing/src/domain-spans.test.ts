import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SightlineError } from '@sightline/core';
import { installTestTracing } from './testing.js';
import { traceAggregateStep, traceCommand, traceEvent, tracePublish, traceQuery, traceSagaStep } from './domain-spans.js';
import { createMessage, parseMessage } from './message.js';
import { withAttribution } from './attribution.js';

const tracing = installTestTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.reset());

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const later = <T>(fn: () => T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(fn()), 0));

describe('traceCommand', () => {
  it('names the span "command <type>", kind CONSUMER, with messaging and sightline attributes', async () => {
    const command = createMessage('command', 'PlaceOrder', { sku: 'A-1' }, { id: 'cmd-1' });
    const result = await traceCommand(command, async () => {
      await tick();
      return 'placed';
    }, { system: 'rabbitmq' });
    expect(result).toBe('placed');
    const span = tracing.assertSpan('command PlaceOrder', {
      kind: SpanKind.CONSUMER,
      status: SpanStatusCode.UNSET,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.message.id': 'cmd-1',
        'messaging.message.conversation_id': 'cmd-1',
        'sightline.message.kind': 'command',
        'sightline.message.type': 'PlaceOrder',
      },
    });
    expect(span.attributes['sightline.message.causation_id']).toBeUndefined();
    expect(span.ended).toBe(true);
  });

  it('works around a synchronous handler and returns its value', () => {
    expect(traceCommand({ type: 'Ping' }, () => 42)).toBe(42);
    expect(tracing.span('command Ping').ended).toBe(true);
  });

  it('records a rejection, sets error status and error.type, and rethrows the same error', async () => {
    const failure = new TypeError('stock service down');
    await expect(traceCommand({ type: 'PlaceOrder', id: 'c' }, async () => {
      await tick();
      throw failure;
    })).rejects.toBe(failure);
    const span = tracing.assertSpan('command PlaceOrder', { status: SpanStatusCode.ERROR, attributes: { 'error.type': 'TypeError' } });
    expect(span.status.message).toBe('stock service down');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]?.attributes?.['exception.message']).toBe('stock service down');
  });

  it('uses a SightlineError code as error.type and handles synchronous throws', () => {
    const failure = new SightlineError('ORDER_REJECTED', 'no');
    expect(() => traceCommand({ type: 'Cancel' }, () => {
      throw failure;
    })).toThrow(failure);
    tracing.assertSpan('command Cancel', { status: SpanStatusCode.ERROR, attributes: { 'error.type': 'ORDER_REJECTED' } });
  });

  it('records a thrown non-Error as _OTHER', () => {
    expect(() => traceCommand({ type: 'Weird' }, () => {
      throw 'a string';
    })).toThrow('a string');
    tracing.assertSpan('command Weird', { status: SpanStatusCode.ERROR, attributes: { 'error.type': '_OTHER' } });
  });

  it('rejects a message without a type with TRACING_MESSAGE_INVALID and does not run the handler', () => {
    let ran = false;
    const run = (): void => traceCommand({ type: '' }, () => {
      ran = true;
    });
    expect(run).toThrow(expect.objectContaining({ code: 'TRACING_MESSAGE_INVALID' }));
    expect(ran).toBe(false);
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('traceEvent, traceQuery, tracePublish', () => {
  it('uses CONSUMER for events, INTERNAL for queries and PRODUCER for sends', async () => {
    await traceEvent({ type: 'OrderPlaced', id: 'e-1' }, async () => undefined);
    traceQuery({ type: 'GetOrder' }, () => undefined);
    tracePublish({ kind: 'event', type: 'OrderPlaced', id: 'e-1' }, () => undefined);
    traceQuery({ type: 'GetStock' }, () => undefined, { kind: SpanKind.SERVER });
    tracing.assertSpan('event OrderPlaced', { kind: SpanKind.CONSUMER, attributes: { 'sightline.message.kind': 'event', 'messaging.operation.type': 'process' } });
    const query = tracing.assertSpan('query GetOrder', { kind: SpanKind.INTERNAL, attributes: { 'sightline.message.kind': 'query' } });
    expect(query.attributes['messaging.operation.type']).toBeUndefined();
    tracing.assertSpan('send OrderPlaced', { kind: SpanKind.PRODUCER, attributes: { 'messaging.operation.type': 'send', 'messaging.message.id': 'e-1' } });
    tracing.assertSpan('query GetStock', { kind: SpanKind.SERVER });
  });

  it('adds caller attributes at start', () => {
    traceQuery({ type: 'GetOrder' }, () => undefined, { attributes: { 'app.shard': 3 } });
    tracing.assertSpan('query GetOrder', { attributes: { 'app.shard': 3 } });
  });
});

describe('aggregate and saga steps', () => {
  it('names and annotates an aggregate step', async () => {
    await traceAggregateStep({ type: 'Order', id: 'o-1', operation: 'place', version: 7 }, async () => undefined);
    tracing.assertSpan('aggregate Order.place', {
      kind: SpanKind.INTERNAL,
      attributes: { 'sightline.aggregate.type': 'Order', 'sightline.aggregate.id': 'o-1', 'sightline.aggregate.version': 7 },
    });
  });

  it('names and annotates a saga step', () => {
    traceSagaStep({ name: 'Checkout', id: 's-1', step: 'reserveStock' }, () => undefined);
    tracing.assertSpan('saga Checkout.reserveStock', {
      kind: SpanKind.INTERNAL,
      attributes: { 'sightline.saga.name': 'Checkout', 'sightline.saga.id': 's-1', 'sightline.saga.step': 'reserveStock' },
    });
  });

  it('rejects bad steps with TRACING_STEP_INVALID listing every problem', () => {
    let caught: unknown;
    try {
      traceAggregateStep({ type: '', id: 'o', operation: '', version: -1 }, () => undefined);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'TRACING_STEP_INVALID' });
    expect((caught as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.'))).toEqual(['type', 'operation', 'version']);
    expect(() => traceSagaStep({ name: 'S', id: '', step: 'x' }, () => undefined)).toThrow(expect.objectContaining({ code: 'TRACING_STEP_INVALID' }));
  });
});

describe('parent and child across async boundaries', () => {
  it('parents spans across await, setTimeout and nested helpers', async () => {
    await traceCommand({ type: 'PlaceOrder', id: 'c-1' }, async () => {
      await tick();
      await traceAggregateStep({ type: 'Order', id: 'o-1', operation: 'place' }, async () => {
        await later(() => traceSagaStep({ name: 'Checkout', id: 's', step: 'pay' }, () => undefined));
      });
      await later(() => traceEvent({ type: 'OrderPlaced' }, () => undefined));
    });
    tracing.assertSpan('aggregate Order.place', { parent: 'command PlaceOrder' });
    tracing.assertSpan('saga Checkout.pay', { parent: 'aggregate Order.place' });
    tracing.assertSpan('event OrderPlaced', { parent: 'command PlaceOrder' });
    const traceIds = new Set(tracing.spans().map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    expect(tracing.parentOf(tracing.span('command PlaceOrder'))).toBeUndefined();
    expect(tracing.childrenOf(tracing.span('command PlaceOrder')).map((s) => s.name).sort()).toEqual(['aggregate Order.place', 'event OrderPlaced']);
  });

  it('keeps concurrent handlers apart', async () => {
    await Promise.all(['a', 'b'].map((id) => traceCommand({ type: `Cmd-${id}` }, async () => {
      await tick();
      await later(() => traceQuery({ type: `Q-${id}` }, () => undefined));
    })));
    tracing.assertSpan('query Q-a', { parent: 'command Cmd-a' });
    tracing.assertSpan('query Q-b', { parent: 'command Cmd-b' });
  });
});

describe('causation through message envelopes', () => {
  it('links the handler span to the span that created the message, across JSON serialize-deserialize', async () => {
    const command = createMessage('command', 'PlaceOrder', { sku: 'A-1' }, { id: 'cmd-1' });
    let wire = '';
    await traceCommand(command, async () => {
      await tick();
      const event = await later(() => createMessage('event', 'OrderPlaced', { orderId: 'o-1' }, { id: 'evt-1' }));
      expect(event.causationId).toBe('cmd-1');
      expect(event.correlationId).toBe('cmd-1');
      wire = JSON.stringify(event);
    });
    const commandSpan = tracing.span('command PlaceOrder');

    // Another process: only the JSON arrives; the handler runs under no active span.
    const received = parseMessage(JSON.parse(wire));
    await context.with(trace.deleteSpan(context.active()), () => traceEvent(received, async () => undefined));
    const eventSpan = tracing.assertSpan('event OrderPlaced', {
      attributes: { 'messaging.message.id': 'evt-1', 'messaging.message.conversation_id': 'cmd-1', 'sightline.message.causation_id': 'cmd-1' },
    });
    expect(eventSpan.links).toHaveLength(1);
    expect(eventSpan.links[0]?.context.spanId).toBe(commandSpan.spanContext().spanId);
    expect(eventSpan.links[0]?.context.traceId).toBe(commandSpan.spanContext().traceId);
    // Link, not parenthood, by default: the event handler starts its own trace.
    expect(eventSpan.parentSpanContext).toBeUndefined();
    expect(eventSpan.spanContext().traceId).not.toBe(commandSpan.spanContext().traceId);
  });

  it('can make the causing span the parent as well', async () => {
    const event = await traceCommand({ type: 'PlaceOrder', id: 'c-2' }, () => createMessage('event', 'OrderPlaced', null));
    await traceEvent(parseMessage(JSON.parse(JSON.stringify(event))), async () => undefined, { parent: 'message' });
    const eventSpan = tracing.span('event OrderPlaced');
    const commandSpan = tracing.span('command PlaceOrder');
    expect(eventSpan.parentSpanContext?.spanId).toBe(commandSpan.spanContext().spanId);
    expect(eventSpan.links[0]?.context.spanId).toBe(commandSpan.spanContext().spanId);
  });

  it('reconstructs a causation chain from finished spans', async () => {
    const place = createMessage('command', 'PlaceOrder', null, { id: 'm1' });
    const placed = await traceCommand(place, async () => {
      await tick();
      return createMessage('event', 'OrderPlaced', null, { id: 'm2' });
    });
    const ship = await traceEvent(parseMessage(JSON.parse(JSON.stringify(placed))), () =>
      later(() => createMessage('command', 'ShipOrder', null, { id: 'm3' })));
    await traceCommand(parseMessage(JSON.parse(JSON.stringify(ship))), async () => undefined);
    traceQuery({ type: 'Unrelated', id: 'm9' }, () => undefined);

    const chain = tracing.causationChain('m3');
    expect(chain.map((step) => [step.messageId, step.messageType])).toEqual([
      ['m1', 'PlaceOrder'],
      ['m2', 'OrderPlaced'],
      ['m3', 'ShipOrder'],
    ]);
    expect(chain.map((s) => s.span.name)).toEqual(['command PlaceOrder', 'event OrderPlaced', 'command ShipOrder']);
    expect(ship.correlationId).toBe('m1');
    expect(tracing.causationChain('nope')).toEqual([]);
  });
});

describe('attribution', () => {
  it('stamps the principal and business context on every span below, including plain SDK spans', async () => {
    const principal = { id: 'u-42', kind: 'user' as const, team: 'payments', department: 'eng', tenant: 'acme', roles: ['admin'] };
    await withAttribution(principal, { project: 'checkout', repository: 'acme/shop' }, () =>
      traceCommand({ type: 'PlaceOrder' }, async () => {
        await tick();
        tracing.tracer.startActiveSpan('db.query', (span) => span.end());
      }));
    const expected = {
      'user.id': 'u-42',
      'user.roles': ['admin'],
      'sightline.principal.kind': 'user',
      'sightline.team': 'payments',
      'sightline.department': 'eng',
      'sightline.tenant.id': 'acme',
      'sightline.project': 'checkout',
      'vcs.repository.name': 'acme/shop',
    };
    tracing.assertSpan('command PlaceOrder', { attributes: expected });
    tracing.assertSpan('db.query', { attributes: expected, parent: 'command PlaceOrder' });
    expect(Object.keys(tracing.span('db.query').attributes).some((k) => k.startsWith('enduser.'))).toBe(false);
  });

  it('stamps nothing outside the attributed scope', () => {
    traceQuery({ type: 'Anon' }, () => undefined);
    expect(tracing.span('query Anon').attributes['user.id']).toBeUndefined();
  });
});
