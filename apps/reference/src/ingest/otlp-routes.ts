import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createOtlpIngest, RETRY_AFTER_SECONDS, type OtlpIngest, type OtlpIngestOptions } from './otlp-ingest.js';
import { decodeProtobufRequest, encodeProtobufResponse, encodeRpcStatus, REJECTED_FIELD, type OtlpSignal } from './otlp-protobuf.js';
import { OtlpDecodeError } from './otlp-values.js';

/** The options of the shared ingest path; see {@link OtlpIngestOptions}. */
export type OtlpRouteOptions = OtlpIngestOptions;

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/**
 * OTLP/HTTP receivers (`POST /v1/traces|metrics|logs`), JSON (`application/json`) and protobuf
 * (`application/x-protobuf`) encodings, each gzip or not, following the OTLP spec: the answer is
 * in the request's encoding; 200 with `partialSuccess` when some items are rejected, 400 for
 * malformed requests, 415 for any other content type, 413 above the body limit, 503 with
 * Retry-After under overload. Items of a service owned by another team than the ingest
 * credential's are rejected (partial success). Returns the shared decode-and-store path, which
 * the gRPC receiver uses too.
 */
export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): OtlpIngest {
  const ingest = createOtlpIngest(options);
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    app.post(`/v1/${signal}`, { preValidation: refuseOtherContentTypes }, async (request, reply) => receive(signal, request, reply));
  }

  async function receive(signal: OtlpSignal, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const protobuf = isProtobuf(request);
    let body: unknown = request.body;
    if (protobuf) {
      try {
        body = decodeProtobufRequest(signal, request.body as Buffer);
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error;
        return fail(reply, protobuf, 400, 3, `malformed OTLP request: ${error.message}`);
      }
    }
    const outcome = await ingest(signal, body, request.principal?.team);
    // google.rpc.Status as the OTLP spec asks for error bodies (3 = INVALID_ARGUMENT, 14 = UNAVAILABLE).
    if (outcome.status === 'invalid') return fail(reply, protobuf, 400, 3, outcome.message);
    if (outcome.status === 'overloaded') return fail(reply.header('retry-after', String(RETRY_AFTER_SECONDS)), protobuf, 503, 14, outcome.message);
    if (protobuf) return reply.code(200).type(PROTOBUF_TYPE).send(Buffer.from(encodeProtobufResponse(signal, outcome.rejected, outcome.errorMessage)));
    return reply.code(200).send(outcome.rejected === 0 ? {} : { partialSuccess: { [REJECTED_FIELD[signal]]: outcome.rejected, errorMessage: outcome.errorMessage } });
  }
  return ingest;
}

function isProtobuf(request: FastifyRequest): boolean {
  return mediaType(request) === PROTOBUF_TYPE;
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Other routes register parsers for CSV and YAML, and Fastify's parsers apply to every route: an
 * OTLP route accepts only the two OTLP encodings, whatever else the server can parse.
 */
async function refuseOtherContentTypes(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const type = mediaType(request);
  if (type === JSON_TYPE || type === PROTOBUF_TYPE) return;
  await reply.code(415).send({ code: 3, message: `content type ${type === '' ? '(none)' : type} is not supported; send ${PROTOBUF_TYPE} or ${JSON_TYPE} (OTLP/HTTP)` });
}

function fail(reply: FastifyReply, protobuf: boolean, status: number, code: number, message: string): FastifyReply {
  if (protobuf) return reply.code(status).type(PROTOBUF_TYPE).send(Buffer.from(encodeRpcStatus(code, message)));
  return reply.code(status).send({ code, message });
}
