import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { decodeProtobufRequest } from './otlp-protobuf.js';
import { decodeTraces } from './otlp-traces.js';

/** Writes field `field` as a length-delimited submessage built by `body`. */
const message = (w: protobuf.Writer, field: number, body: (w: protobuf.Writer) => void) => {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
};

/** One span whose only attribute `k` is an AnyValue that sets two members of its `oneof` (string 1 and int 3). */
function spanWithTwoValueMembers(): Uint8Array {
  const w = protobuf.Writer.create();
  message(w, 1, (rs) =>
    message(rs, 2, (ss) =>
      message(ss, 2, (span) => {
        span.uint32((1 << 3) | 2).bytes(Buffer.alloc(16, 0xab));
        span.uint32((2 << 3) | 2).bytes(Buffer.alloc(8, 0xcd));
        span.uint32((5 << 3) | 2).string('checkout');
        span.uint32((7 << 3) | 1).fixed64('1700000000000000000');
        span.uint32((8 << 3) | 1).fixed64('1700000000250000000');
        message(span, 9, (kv) => {
          kv.uint32((1 << 3) | 2).string('k');
          message(kv, 2, (any) => {
            any.uint32((3 << 3) | 0).int64(5);
            any.uint32((1 << 3) | 2).string('text');
          });
        });
      }),
    ),
  );
  return w.finish();
}

describe('decodeProtobufRequest', () => {
  it('reads an AnyValue that breaks its oneof (two members set) the way OTLP/JSON with two keys is read: string first', () => {
    const body = decodeProtobufRequest('traces', spanWithTwoValueMembers()) as { resourceSpans: { scopeSpans: { spans: { attributes: { value: unknown }[] }[] }[] }[] };
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!.value).toEqual({ intValue: '5', stringValue: 'text' });
    const decoded = decodeTraces(body);
    expect(decoded.rejected).toBe(0);
    expect(decoded.items[0]!.attributes).toEqual({ k: 'text' });
    expect(decoded.items[0]!.duration_ms).toBe(250);
    expect(decoded.items[0]!.trace_id).toBe('ab'.repeat(16));
  });
});
