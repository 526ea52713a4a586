// The README's five-minute example. Run it: `pnpm --filter @sightline/tracing example`.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  AttributionSpanProcessor,
  W3CPropagator,
  createMessage,
  parentBasedRatioSampler,
  parseMessage,
  traceCommand,
  traceEvent,
  tracePublish,
  withAttribution,
} from '@sightline/tracing';

// 1. Your SDK setup (any OTel SDK works; this is the smallest one).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CPropagator());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    sampler: parentBasedRatioSampler(1), // keep everything while you try it out
    spanProcessors: [new AttributionSpanProcessor(), new SimpleSpanProcessor(new ConsoleSpanExporter())],
  }),
);

// 2. A command handler that publishes an event.
const bus: string[] = []; // stands in for your broker: messages travel as JSON
async function placeOrder(json: string): Promise<void> {
  const command = parseMessage(JSON.parse(json));
  await traceCommand(command, async () => {
    const event = tracePublish({ kind: 'event', type: 'OrderPlaced' }, () =>
      createMessage('event', 'OrderPlaced', { orderId: 'o-1' }),
    );
    bus.push(JSON.stringify(event));
  });
}

// 3. Who asked, stamped on every span below, and the conversation across the bus.
await withAttribution({ kind: 'user', id: 'u-42', team: 'payments' }, { project: 'checkout' }, async () => {
  await placeOrder(JSON.stringify(createMessage('command', 'PlaceOrder', { sku: 'A-1' })));
});
const event = parseMessage(JSON.parse(bus[0] ?? '{}'));
await traceEvent(event, async () => {
  // `event <OrderPlaced>` links to the span that published it, across the JSON round trip.
});
