import protobuf from 'protobufjs';
import { OtlpDecodeError } from './otlp-values.js';

/** An OTLP signal, as named in the HTTP path (`/v1/<signal>`). */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

// The OTLP messages the app reads, transcribed from opentelemetry-proto v1.x (the field numbers
// and wire types are the standard; names follow it). protobufjs does the decoding; fields left
// out here (exemplars, the exponential histogram's and summary's points, entity refs) are
// skipped as unknown fields, as proto3 requires. Enums are declared as int32, which has the same
// wire encoding, so an enum value this schema does not know still decodes. The standard's
// \`oneof\` groups (AnyValue.value, Metric.data, NumberDataPoint.value) are declared as plain
// fields, which have the same wire encoding: protobufjs enforces a oneof by deleting the other
// members on every set, which turned each decoded AnyValue into a slow dictionary object (a
// tenth of the decode time). A message that sets two members of one group breaks the standard;
// the JSON decoder then reads one of them in a fixed order (string first), as it does for an
// OTLP/JSON AnyValue with two keys.
const OTLP_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  string string_value = 1;
  bool bool_value = 2;
  int64 int_value = 3;
  double double_value = 4;
  ArrayValue array_value = 5;
  KeyValueList kvlist_value = 6;
  bytes bytes_value = 7;
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message Status { string message = 2; int32 code = 3; }

message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  Gauge gauge = 5;
  Sum sum = 7;
  Histogram histogram = 9;
  ExponentialHistogram exponential_histogram = 10;
  Summary summary = 11;
  repeated KeyValue metadata = 12;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { int32 aggregation_temporality = 2; }
message Summary { }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  double as_double = 4;
  sfixed64 as_int = 6;
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }

// The same requests with each item (span, metric, log record), resource and scope left as bytes:
// a length-delimited message and a bytes field share one wire format. Each part is then decoded on its
// own, so one part that fails (nested past protobufjs' depth limit, truncated) rejects only its
// own items, as a bad item in OTLP/JSON does.
message TracesEnvelope { repeated ResourceSpansEnvelope resource_spans = 1; }
message ResourceSpansEnvelope { bytes resource = 1; repeated ScopeSpansEnvelope scope_spans = 2; }
message ScopeSpansEnvelope { bytes scope = 1; repeated bytes spans = 2; }
message MetricsEnvelope { repeated ResourceMetricsEnvelope resource_metrics = 1; }
message ResourceMetricsEnvelope { bytes resource = 1; repeated ScopeMetricsEnvelope scope_metrics = 2; }
message ScopeMetricsEnvelope { bytes scope = 1; repeated bytes metrics = 2; }
message LogsEnvelope { repeated ResourceLogsEnvelope resource_logs = 1; }
message ResourceLogsEnvelope { bytes resource = 1; repeated ScopeLogsEnvelope scope_logs = 2; }
message ScopeLogsEnvelope { bytes scope = 1; repeated bytes log_records = 2; }

// google.rpc.Status, the body of an OTLP error answer.
message RpcStatus { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(OTLP_PROTO).root;
const type = (name: string) => root.lookupType(`opentelemetry.proto.${name}`);

/** Per signal: the envelope type, its field names (OTLP/JSON's) and the item type. */
const LAYOUT: Record<OtlpSignal, { request: string; whole: protobuf.Type; envelope: protobuf.Type; resource: string; scope: string; items: string; item: protobuf.Type }> = {
  traces: { request: 'ExportTraceServiceRequest', whole: type('ExportTraceServiceRequest'), envelope: type('TracesEnvelope'), resource: 'resourceSpans', scope: 'scopeSpans', items: 'spans', item: type('Span') },
  metrics: { request: 'ExportMetricsServiceRequest', whole: type('ExportMetricsServiceRequest'), envelope: type('MetricsEnvelope'), resource: 'resourceMetrics', scope: 'scopeMetrics', items: 'metrics', item: type('Metric') },
  logs: { request: 'ExportLogsServiceRequest', whole: type('ExportLogsServiceRequest'), envelope: type('LogsEnvelope'), resource: 'resourceLogs', scope: 'scopeLogs', items: 'logRecords', item: type('LogRecord') },
};
const RESOURCE = type('Resource');
const SCOPE = type('InstrumentationScope');
const RESPONSES: Record<OtlpSignal, protobuf.Type> = { traces: type('ExportTraceServiceResponse'), metrics: type('ExportMetricsServiceResponse'), logs: type('ExportLogsServiceResponse') };
const RPC_STATUS = type('RpcStatus');

/** The partial-success field that counts rejected items, per signal (OTLP's names). */
export const REJECTED_FIELD: Record<OtlpSignal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

/** The gRPC service of each signal (`opentelemetry.proto.collector.<signal>.v1.<Name>Service`). */
export const GRPC_SERVICE: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

/** How one field of a decoded message becomes its OTLP/JSON value. */
const enum FieldKind {
  Plain,
  Long,
  HexBytes,
  Base64Bytes,
  Message,
}

/** A decoded message of one type to its OTLP/JSON object. */
type Converter = (message: Record<string, unknown>) => Record<string, unknown>;

// Ids travel as bytes in protobuf and as hex in OTLP/JSON; other bytes (AnyValue.bytesValue) as
// base64 in both. 64-bit integers become decimal strings, as OTLP/JSON allows; enums stay numbers.
const HEX_FIELDS: Record<string, readonly string[]> = { Span: ['traceId', 'spanId', 'parentSpanId'], Link: ['traceId', 'spanId'], LogRecord: ['traceId', 'spanId'] };
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const CONVERTERS = new Map<protobuf.Type, Converter>();

/**
 * The converter of a message type, built on first use: what protobufjs' `toObject` with `{ longs:
 * String, bytes: String, enums: Number, defaults: false }` gives (only fields present on the wire,
 * empty repeated fields left out), with ids as hex instead of base64. Generated as one function
 * per type, as protobufjs generates its own decoders: a straight line of field reads with the
 * conversion each field needs, so converting does no schema lookup and no per-field dispatch.
 * Only field names of the schema above reach the source, each as a JSON string literal.
 */
function converterOf(messageType: protobuf.Type): Converter {
  const converter = CONVERTERS.get(messageType);
  if (converter !== undefined) return converter;
  // Recursive types (AnyValue → ArrayValue → AnyValue) call each other through the table once built.
  const nested: Converter[] = [];
  const forward: Converter = (message) => built(message);
  CONVERTERS.set(messageType, forward);
  let body = 'const o = {};\nlet v;\n';
  for (const field of messageType.fieldsArray) {
    field.resolve();
    const hex = HEX_FIELDS[messageType.name]?.includes(field.name) === true;
    const nestedType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const kind = nestedType !== undefined ? FieldKind.Message : field.type === 'bytes' ? (hex ? FieldKind.HexBytes : FieldKind.Base64Bytes) : LONG_TYPES.has(field.type) ? FieldKind.Long : FieldKind.Plain;
    const key = JSON.stringify(field.name);
    let value: string;
    if (kind === FieldKind.Message) value = `c[${nested.push(converterOf(nestedType!)) - 1}](x)`;
    else if (kind === FieldKind.Plain) value = 'x';
    else if (kind === FieldKind.Long) value = 'longToString(x)';
    else value = `bufferOf(x).toString(${kind === FieldKind.HexBytes ? '"hex"' : '"base64"'})`;
    if (field.repeated) body += `v = m[${key}];\nif (v != null && v.length > 0) { const a = new Array(v.length); for (let i = 0; i < v.length; i++) { const x = v[i]; a[i] = ${value}; } o[${key}] = a; }\n`;
    else body += `v = m[${key}];\nif (v != null && hasOwn.call(m, ${key})) { const x = v; o[${key}] = ${value}; }\n`;
  }
  const factory = new Function('c', 'hasOwn', 'longToString', 'bufferOf', `"use strict";\nreturn function convert(m) {\n${body}return o;\n};`) as (c: Converter[], hasOwn: typeof Object.prototype.hasOwnProperty, long: typeof longToString, buffer: typeof bufferOf) => Converter;
  const built = factory(nested, Object.prototype.hasOwnProperty, longToString, bufferOf);
  CONVERTERS.set(messageType, built);
  return built;
}

/** The bytes as a Buffer, without copying (protobufjs hands out Buffer views in Node, Uint8Arrays elsewhere). */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** A 64-bit integer (a protobufjs Long, or a number when Long is absent) as exact decimal text. */
function longToString(value: protobuf.Long | number): string {
  if (typeof value === 'number') return String(value);
  const low = value.low >>> 0;
  const high = value.high >>> 0;
  if (!value.unsigned && value.high < 0) {
    // Two's complement: negate, then print the magnitude.
    const negLow = (~low + 1) >>> 0;
    return `-${uint64ToString(negLow, (~high + (negLow === 0 ? 1 : 0)) >>> 0)}`;
  }
  return uint64ToString(low, high);
}

/**
 * An unsigned 64-bit integer given as two unsigned 32-bit halves, as decimal text. Below 2^53 a
 * double is exact; above, the value is split into 24-bit limbs and carried in base 1e7 (the
 * method of protobuf-es' `uInt64ToString`), which stays within doubles' exact range.
 */
function uint64ToString(low: number, high: number): string {
  if (high <= 0x1f_ffff) return String(high * 0x1_0000_0000 + low);
  const limb0 = low & 0xff_ffff;
  const limb1 = ((low >>> 24) | (high << 8)) & 0xff_ffff;
  const limb2 = (high >>> 16) & 0xffff;
  // In base 1e7, 2^24 is 1 6777216 and 2^48 is 2 8147497 6710656.
  let digitA = limb0 + limb1 * 6_777_216 + limb2 * 6_710_656;
  let digitB = limb1 + limb2 * 8_147_497;
  let digitC = limb2 * 2;
  const base = 10_000_000;
  if (digitA >= base) {
    digitB += Math.floor(digitA / base);
    digitA %= base;
  }
  if (digitB >= base) {
    digitC += Math.floor(digitB / base);
    digitB %= base;
  }
  return `${digitC}${String(digitB).padStart(7, '0')}${String(digitA).padStart(7, '0')}`;
}

/** A decoded envelope message: its parts as bytes, under the layout's (camelCase) field names. */
type EnvelopePart = Record<string, Uint8Array | EnvelopePart[] | Uint8Array[] | undefined>;

/**
 * Decodes an OTLP protobuf `Export<Signal>ServiceRequest` into the shape of its OTLP/JSON
 * encoding (hex ids, 64-bit integers as strings), so one decoder validates both encodings.
 * Bytes that are not a valid envelope throw {@link OtlpDecodeError} (→ 400 / INVALID_ARGUMENT);
 * an item, resource or scope that does not decode is left as an {@link OtlpDecodeError} in its
 * place, which the shared decoder counts as rejected (→ partial success).
 */
export function decodeProtobufRequest(signal: OtlpSignal, bytes: Uint8Array): unknown {
  const layout = LAYOUT[signal];
  // Nearly every request decodes whole in one pass; only one that does not is taken apart part by
  // part, so that a part that fails rejects only its own items.
  try {
    return converterOf(layout.whole)(layout.whole.decode(bytes) as unknown as Record<string, unknown>);
  } catch {
    return decodeByParts(layout, bytes);
  }
}

function decodeByParts(layout: (typeof LAYOUT)[OtlpSignal], bytes: Uint8Array): unknown {
  let envelope: EnvelopePart;
  try {
    envelope = layout.envelope.decode(bytes) as unknown as EnvelopePart;
  } catch (error) {
    throw new OtlpDecodeError('(body)', `is not a valid protobuf ${layout.request}: ${(error as Error).message}`);
  }
  return {
    [layout.resource]: ((envelope[layout.resource] ?? []) as EnvelopePart[]).map((r, ri) => {
      const rPath = `${layout.resource}[${ri}]`;
      return {
        resource: decodePart(RESOURCE, r.resource as Uint8Array, `${rPath}.resource`),
        [layout.scope]: ((r[layout.scope] ?? []) as EnvelopePart[]).map((s, si) => {
          const sPath = `${rPath}.${layout.scope}[${si}]`;
          return {
            scope: decodePart(SCOPE, s.scope as Uint8Array, `${sPath}.scope`),
            [layout.items]: ((s[layout.items] ?? []) as Uint8Array[]).map((itemBytes, i) => {
              return decodePart(layout.item, itemBytes, `${sPath}.${layout.items}[${i}]`);
            }),
          };
        }),
      };
    }),
  };
}

/** One part of a request as its OTLP/JSON object, or the reason it does not decode. */
function decodePart(partType: protobuf.Type, bytes: Uint8Array, path: string): Record<string, unknown> | OtlpDecodeError {
  try {
    return converterOf(partType)(partType.decode(bytes) as unknown as Record<string, unknown>);
  } catch (error) {
    // protobufjs throws on truncated or mistyped input, and past its nesting limit ("max depth exceeded").
    return new OtlpDecodeError(path, `is not a valid protobuf ${partType.name}: ${(error as Error).message}`);
  }
}

/** Encodes the OTLP protobuf `Export<Signal>ServiceResponse`, with `partial_success` when items were rejected. */
export function encodeProtobufResponse(signal: OtlpSignal, rejected: number, errorMessage: string): Uint8Array {
  const body = rejected === 0 ? {} : { partialSuccess: { [REJECTED_FIELD[signal]]: rejected, errorMessage } };
  return RESPONSES[signal].encode(RESPONSES[signal].fromObject(body)).finish();
}

/** Encodes a `google.rpc.Status` (code per gRPC: 3 INVALID_ARGUMENT, 14 UNAVAILABLE, ...), the protobuf error body. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RPC_STATUS.encode(RPC_STATUS.fromObject({ code, message })).finish();
}
