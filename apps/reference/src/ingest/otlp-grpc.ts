import * as grpc from '@grpc/grpc-js';
import type { Principal } from '@sightline/core';
import type { AccessControl } from '../access/access-control.js';
import type { OtlpIngest } from './otlp-ingest.js';
import { decodeProtobufRequest, encodeProtobufResponse, GRPC_SERVICE, type OtlpSignal } from './otlp-protobuf.js';
import { OtlpDecodeError } from './otlp-values.js';

export interface OtlpGrpcOptions {
  /** The decode-and-store path the HTTP routes use. */
  ingest: OtlpIngest;
  /** Token mode applies here as on HTTP; `undefined` serves without authorisation (the `authorize: false` app). */
  access: AccessControl | undefined;
  /** Largest accepted (decompressed) message in bytes, the HTTP body limit. */
  maxMessageBytes: number;
  /** Where unexpected failures (gRPC INTERNAL) are logged. */
  log: (line: Record<string, unknown>) => void;
}

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * The OTLP/gRPC receiver: `opentelemetry.proto.collector.{trace,metrics,logs}.v1.*Service/Export`,
 * gzip accepted, through the same decoding, storage and access rules as OTLP/HTTP. Statuses:
 * INVALID_ARGUMENT (malformed), UNAUTHENTICATED / PERMISSION_DENIED (token mode), UNAVAILABLE
 * (ingest at its write limit; exporters retry it).
 */
export class OtlpGrpcServer {
  readonly #server: grpc.Server;
  readonly #options: OtlpGrpcOptions;
  #closing: Promise<void> | undefined;

  constructor(options: OtlpGrpcOptions) {
    this.#options = options;
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      // Messages are passed through as bytes and decoded in the handler, so a malformed one is an
      // INVALID_ARGUMENT with the reason rather than a failure inside the transport.
      const definition: grpc.ServiceDefinition = {
        Export: { path: `/${GRPC_SERVICE[signal]}/Export`, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'export' },
      };
      this.#server.addService(definition, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => void this.#export(signal, call, callback) });
    }
  }

  /** Binds `host:port` (0 picks a free port) and returns the port bound. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
  }

  /** Stops accepting calls and waits for those in progress (forcing them after 5 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => this.#server.forceShutdown(), 5_000);
      force.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return this.#closing;
  }

  async #export(signal: OtlpSignal, call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    const fail = (code: grpc.status, details: string) => callback({ code, details, name: 'OtlpGrpcError', message: details });
    try {
      const who = this.#authorize(signal, call);
      if ('code' in who) return fail(who.code, who.details);
      let body: unknown;
      try {
        body = decodeProtobufRequest(signal, call.request);
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error;
        return fail(grpc.status.INVALID_ARGUMENT, `malformed OTLP request: ${error.message}`);
      }
      const outcome = await this.#options.ingest(signal, body, who.principal?.team);
      if (outcome.status === 'invalid') return fail(grpc.status.INVALID_ARGUMENT, outcome.message);
      if (outcome.status === 'overloaded') return fail(grpc.status.UNAVAILABLE, outcome.message);
      callback(null, Buffer.from(encodeProtobufResponse(signal, outcome.rejected, outcome.errorMessage)));
    } catch (error) {
      this.#options.log({ level: 'error', msg: `OTLP/gRPC ${GRPC_SERVICE[signal]}/Export failed`, error: (error as Error).message, stack: (error as Error).stack });
      fail(grpc.status.INTERNAL, 'internal error; see the server log');
    }
  }

  /** The same decision as the HTTP ingest hook, with the bearer token from the `authorization` metadata. */
  #authorize(signal: OtlpSignal, call: grpc.ServerUnaryCall<Buffer, Buffer>): { principal: Principal | undefined } | { code: grpc.status; details: string } {
    const access = this.#options.access;
    if (access === undefined) return { principal: undefined };
    const authorization = call.metadata.get('authorization')[0];
    const ingest = access.authorizeIngest(typeof authorization === 'string' ? authorization : undefined, `/v1/${signal}`, peerAddress(call.getPeer()));
    if ('principal' in ingest) return ingest;
    return { code: ingest.refused === 'unauthenticated' ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED, details: ingest.message };
  }
}

/** The address part of a grpc-js peer (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678` or `1.2.3.4:5678`). */
function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed !== null) return bracketed[1]!;
  const colon = bare.lastIndexOf(':');
  return colon === -1 ? bare : bare.slice(0, colon);
}
