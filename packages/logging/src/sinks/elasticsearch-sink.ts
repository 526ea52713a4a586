import { HttpBatchSink, type BatchOutcome, type HttpBatchSinkOptions, type QueuedRecord } from './http-batch-sink.js';

/** Options of {@link ElasticsearchSink}. */
export interface ElasticsearchSinkOptions extends Omit<HttpBatchSinkOptions, 'url'> {
  /** Elasticsearch (or OpenSearch) base URL, e.g. `http://localhost:9200`; the sink posts to `/_bulk`. */
  url: string;
  /** Target index or data stream (default `logs-sightline-default`). */
  index?: string;
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string };
}

/**
 * Ships lines to Elasticsearch with the `_bulk` API: NDJSON, one `create` action line and one
 * document per record (with `@timestamp`), ending in a newline. `create` works for plain indices
 * and data streams alike. Items refused with 429 or 5xx are retried; other item errors are dropped
 * and reported.
 */
export class ElasticsearchSink extends HttpBatchSink {
  readonly sinkName = 'elasticsearch';
  readonly #action: string;

  constructor(options: ElasticsearchSinkOptions) {
    super({ ...options, url: bulkUrl(options?.url) }, 'ElasticsearchSink');
    this.#action = `${JSON.stringify({ create: { _index: options.index ?? 'logs-sightline-default' } })}\n`;
  }

  protected encode(batch: readonly QueuedRecord[]): { body: string; contentType: string } {
    let body = '';
    for (const { record, line } of batch) {
      // The line is a JSON object: splice @timestamp in front rather than re-serializing it.
      body += `${this.#action}{"@timestamp":${JSON.stringify(record.timestamp)},${line.slice(1)}\n`;
    }
    return { body, contentType: 'application/x-ndjson' };
  }

  protected override async readOutcome(response: Response, batch: readonly QueuedRecord[]): Promise<BatchOutcome> {
    const result = (await response.json()) as { errors?: boolean; items?: Record<string, BulkItemResult>[] };
    if (result.errors !== true || !Array.isArray(result.items)) return { retry: [], rejected: 0 };
    const retry: QueuedRecord[] = [];
    let rejected = 0;
    let reason: string | undefined;
    result.items.forEach((item, i) => {
      const outcome = Object.values(item)[0];
      const status = outcome?.status ?? 200;
      const queued = batch[i];
      if (status < 300 || queued === undefined) return;
      if (status === 429 || status >= 500) retry.push(queued);
      else {
        rejected++;
        reason ??= `${status} ${outcome?.error?.type ?? ''}: ${outcome?.error?.reason ?? ''}`;
      }
    });
    return reason === undefined ? { retry, rejected } : { retry, rejected, reason };
  }
}

function bulkUrl(base: unknown): string {
  if (typeof base !== 'string') return String(base);
  return base.endsWith('/_bulk') ? base : `${base.replace(/\/+$/, '')}/_bulk`;
}
