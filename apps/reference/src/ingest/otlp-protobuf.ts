import protobuf from 'protobufjs';
import { OtlpDecodeError } from './otlp-values.js';

/** An OTLP signal, as named in the HTTP path (`/v1/<signal>`). */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

// The OTLP messages the app reads, transcribed from opentelemetry-proto v1.x (the field numbers
// and wire types are the standard; names follow it). protobufjs does the decoding; fields left
// out here (exemplars, the exponential histogram's and summary's points, entity refs) are
// skipped as unknown fields, as proto3 requires. Enums are declared as int32, which has the same
// wire encoding, so an enum value this schema does not know still decodes. The members of the
// standard's `oneof` groups of scalars (AnyValue.value, NumberDataPoint.value) are declared as
// proto3 `optional` fields instead: the same wire encoding, and the same presence (a member set
// to 0, false or "" is still set), but protobufjs enforces a real `oneof` by deleting the other
// members on every set, which left each decoded AnyValue a slow dictionary object (a tenth of the
// decode time). A message that sets two members of one group breaks the standard; the JSON
// decoder then reads one of them in a fixed order (string first), as it does for an OTLP/JSON
// AnyValue with two keys. Metric.data's members are messages, which have presence anyway.
const OTLP_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  optional string string_value = 1;
  optional bool bool_value = 2;
  optional int64 int_value = 3;
  optional double double_value = 4;
  ArrayValue array_value = 5;
  KeyValueList kvlist_value = 6;
  optional bytes bytes_value = 7;
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
  optional double as_double = 4;
  optional sfixed64 as_int = 6;
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

/**
 * The request messages are read as they decode, without converting them to OTLP/JSON objects
 * (converting cost as much as decoding). For that, a decoded message must hold only what was on
 * the wire, like a JSON object: protobufjs puts each field's default on the message prototype
 * (so `span.parentSpanId` would read an empty Buffer and `'stringValue' in anyValue` would be
 * true for every AnyValue). The decoders are generated first, then those defaults are removed
 * from every type: encoding (the responses) writes own fields only and never reads them.
 */
function withoutPrototypeDefaults(namespace: protobuf.NamespaceBase): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      nested.setup();
      for (const field of nested.fieldsArray) delete (nested.ctor.prototype as Record<string, unknown>)[field.name];
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) withoutPrototypeDefaults(nested);
  }
}
withoutPrototypeDefaults(root);

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

/** A decoded envelope message: its parts as bytes, under the layout's (camelCase) field names. */
type EnvelopePart = Record<string, Uint8Array | EnvelopePart[] | Uint8Array[] | undefined>;

/**
 * Decodes an OTLP protobuf `Export<Signal>ServiceRequest` into messages with the field names of
 * its OTLP/JSON encoding, holding only the fields on the wire; ids and other bytes stay bytes and
 * 64-bit integers stay `Long`s, which the shared readers take as well as JSON's hex strings and
 * decimal text (see otlp-values.ts), so one decoder validates both encodings.
 * Bytes that are not a valid envelope throw {@link OtlpDecodeError} (→ 400 / INVALID_ARGUMENT);
 * an item, resource or scope that does not decode is left as an {@link OtlpDecodeError} in its
 * place, which the shared decoder counts as rejected (→ partial success).
 */
export function decodeProtobufRequest(signal: OtlpSignal, bytes: Uint8Array): unknown {
  const layout = LAYOUT[signal];
  // Nearly every request decodes whole in one pass; only one that does not is taken apart part by
  // part, so that a part that fails rejects only its own items.
  try {
    return layout.whole.decode(bytes);
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
        resource: decodePart(RESOURCE, r.resource as Uint8Array | undefined, `${rPath}.resource`),
        [layout.scope]: ((r[layout.scope] ?? []) as EnvelopePart[]).map((s, si) => {
          const sPath = `${rPath}.${layout.scope}[${si}]`;
          return {
            scope: decodePart(SCOPE, s.scope as Uint8Array | undefined, `${sPath}.scope`),
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
function decodePart(partType: protobuf.Type, bytes: Uint8Array | undefined, path: string): Record<string, unknown> | OtlpDecodeError | undefined {
  if (bytes === undefined) return undefined;
  try {
    return partType.decode(bytes) as unknown as Record<string, unknown>;
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
