// The span insert path as it was before per-minute rollups and day partitions (schema at migration
// 13, the statement of insertSpans then), kept frozen so the ingest bench can measure today's path
// against it in the same run. Not used by the app.
import type { SpanRow } from '../src/ingest/otlp-traces.js';
import type { Queryable } from '../src/storage/database.js';

const NEW_ROOT_WINS = `((excluded.has_root and not t.has_root) or (excluded.has_root = t.has_root and excluded.root_start_ms < t.root_start_ms))`;

export async function baselineInsertSpans(db: Queryable, spans: readonly SpanRow[]): Promise<void> {
  await db.query(
    `with inserted as (
       insert into spans (trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
         status_code, status_message, attributes, resource, events, links, scope)
       select trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms,
         status_code, status_message, attributes, resource, events, links, scope
       from jsonb_to_recordset($1::jsonb) as r(trace_id text, span_id text, parent_span_id text, service text,
         name text, kind smallint, start_ms double precision, duration_ms double precision, status_code smallint,
         status_message text, attributes jsonb, resource jsonb, events jsonb, links jsonb, scope text)
       on conflict (trace_id, span_id) do nothing
       returning trace_id, parent_span_id, service, name, start_ms, duration_ms, status_code
     )
     insert into trace_summaries as t (trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
       has_root, span_count, error_count, services)
     select trace_id, min(start_ms), max(start_ms + duration_ms), max(start_ms),
       (array_agg(service order by (parent_span_id is null) desc, start_ms))[1],
       (array_agg(name order by (parent_span_id is null) desc, start_ms))[1],
       (array_agg(start_ms order by (parent_span_id is null) desc, start_ms))[1],
       bool_or(parent_span_id is null), count(*)::int, (count(*) filter (where status_code = 2))::int,
       array_agg(distinct service order by service)
     from inserted group by trace_id order by trace_id
     on conflict (trace_id) do update set
       start_ms = least(t.start_ms, excluded.start_ms),
       end_ms = greatest(t.end_ms, excluded.end_ms),
       last_start_ms = greatest(t.last_start_ms, excluded.last_start_ms),
       root_service = case when ${NEW_ROOT_WINS} then excluded.root_service else t.root_service end,
       root_name = case when ${NEW_ROOT_WINS} then excluded.root_name else t.root_name end,
       root_start_ms = case when ${NEW_ROOT_WINS} then excluded.root_start_ms else t.root_start_ms end,
       has_root = t.has_root or excluded.has_root,
       span_count = t.span_count + excluded.span_count,
       error_count = t.error_count + excluded.error_count,
       services = array(select distinct s from unnest(t.services || excluded.services) as s order by s)`,
    [JSON.stringify(spans)],
  );
}
