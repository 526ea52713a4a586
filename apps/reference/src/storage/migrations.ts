import type { Database } from './database.js';
import { SQL_DURATION_BUCKET } from './duration-histogram.js';
import { FAILED_SPAN, rollupAggregate } from './service-stats.js';

/** One forward-only schema change. Versions are dense and never edited once released. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// Times are epoch milliseconds as double precision: exact to the microsecond for any date this
// century, and the same number type the packages use.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'signals',
    sql: `
      create table spans (
        trace_id text not null,
        span_id text not null,
        parent_span_id text,
        service text not null,
        name text not null,
        kind smallint not null,
        start_ms double precision not null,
        duration_ms double precision not null,
        status_code smallint not null,
        status_message text,
        attributes jsonb not null,
        resource jsonb not null,
        events jsonb not null,
        links jsonb not null,
        scope text,
        primary key (trace_id, span_id)
      );
      create index spans_service_start on spans (service, start_ms desc);
      create index spans_start on spans (start_ms desc);

      create table logs (
        id bigserial primary key,
        time_ms double precision not null,
        service text not null,
        severity_number smallint not null,
        severity_text text,
        body text not null,
        trace_id text,
        span_id text,
        attributes jsonb not null,
        resource jsonb not null
      );
      create index logs_time on logs (time_ms desc);
      create index logs_trace on logs (trace_id) where trace_id is not null;

      create table metric_points (
        id bigserial primary key,
        name text not null,
        service text not null,
        kind text not null,
        labels jsonb not null,
        time_ms double precision not null,
        value double precision not null,
        histogram jsonb
      );
      create index metric_points_series on metric_points (name, service, time_ms desc);
    `,
  },
  {
    version: 2,
    name: 'alerts',
    sql: `
      -- One row per alert occurrence; at most one firing row per fingerprint (dedup).
      create table alerts (
        id text primary key,
        fingerprint text not null,
        source text not null,
        severity text not null,
        title text not null,
        labels jsonb not null,
        annotations jsonb not null,
        status text not null,
        starts_at double precision not null,
        ends_at double precision,
        updated_at double precision not null,
        silenced boolean not null default false
      );
      create unique index alerts_one_firing on alerts (fingerprint) where status = 'firing';
      create index alerts_updated on alerts (updated_at desc);

      create table silences (
        id text primary key,
        matchers jsonb not null,
        comment text not null,
        created_by text not null,
        starts_at double precision not null,
        ends_at double precision not null
      );

      -- Outbox: written in the same transaction as the alert change, so a delivery survives a
      -- crash between the change and the send (at-least-once).
      create table alert_deliveries (
        id bigserial primary key,
        alert_id text not null references alerts (id),
        sink text not null,
        payload jsonb not null,
        attempts integer not null default 0,
        next_attempt_at double precision not null,
        delivered_at double precision,
        failed_at double precision,
        last_error text
      );
      create index alert_deliveries_due on alert_deliveries (next_attempt_at) where delivered_at is null and failed_at is null;
    `,
  },
  {
    version: 3,
    name: 'anomalies',
    sql: `
      create table anomalies (
        id bigserial primary key,
        series_key text not null,
        detector text not null,
        service text,
        starts_at double precision not null,
        ends_at double precision,
        score double precision not null,
        severity text not null,
        value double precision not null,
        expected double precision,
        lower double precision,
        upper double precision,
        reason text not null,
        labels jsonb not null
      );
      create index anomalies_starts on anomalies (starts_at desc);
      -- One open anomaly per series and detector: updates extend it instead of duplicating it.
      create unique index anomalies_one_open on anomalies (series_key, detector) where ends_at is null;
    `,
  },
  {
    version: 4,
    name: 'slos',
    sql: `
      create table slos (
        name text primary key,
        spec jsonb not null,
        -- 'file': loaded from the SLO file at start (re-read each start); 'api': managed over the API.
        source text not null,
        updated_at double precision not null
      );
      -- The evaluator's buckets, saved periodically so a restart keeps every window.
      create table slo_state (
        name text primary key,
        state jsonb not null,
        saved_at double precision not null
      );
    `,
  },
  {
    version: 5,
    name: 'alert acknowledgement',
    sql: `
      alter table alerts add column acknowledged_by text;
      alter table alerts add column acknowledged_at double precision;
    `,
  },
  {
    version: 6,
    name: 'access control',
    sql: `
      -- Sealed blocks of the hash-chained audit trail, as the exact text that was hashed.
      create table audit_blocks (
        id bigserial primary key,
        prev_hash text not null,
        hash text not null unique,
        entries_json text not null
      );
      create table policy_versions (
        number integer primary key,
        id text not null unique,
        author text not null,
        message text not null,
        policy_set jsonb not null,
        created_at double precision not null,
        active boolean not null
      );
    `,
  },
  {
    version: 7,
    name: 'alert escalation',
    sql: `
      -- Deliveries of a later escalation step: cancelled when the alert is acknowledged or resolves first.
      alter table alert_deliveries add column escalation boolean not null default false;
    `,
  },
  {
    version: 8,
    name: 'chaos runs',
    sql: `
      create table chaos_runs (
        id text primary key,
        title text not null,
        status text not null,
        started_at double precision not null,
        ended_at double precision,
        experiment jsonb not null,
        journal jsonb
      );
      create index chaos_runs_started on chaos_runs (started_at desc);
    `,
  },
  {
    version: 9,
    name: 'costs',
    sql: `
      -- One row per FOCUS upload (or the GenAI pseudo-import); rows count only once it is complete.
      create table cost_imports (
        id text primary key,
        source text not null,
        filename text,
        uploaded_by text not null,
        started_at double precision not null,
        status text not null,
        rows_read integer not null default 0,
        accepted integer not null default 0,
        rejected integer not null default 0,
        rejects_by_code jsonb not null default '{}',
        rejects jsonb not null default '[]',
        error text
      );
      -- The rejects file of an import, in order, as the importer wrote it.
      create table cost_import_rejects (
        import_id text not null references cost_imports (id) on delete cascade,
        seq integer not null,
        chunk text not null,
        primary key (import_id, seq)
      );
      -- Money as integer micro-units of the billing currency; times as epoch ms.
      create table cost_records (
        id bigserial primary key,
        import_id text not null references cost_imports (id) on delete cascade,
        row_number integer not null,
        billed_cost bigint not null,
        effective_cost bigint not null,
        list_cost bigint not null,
        contracted_cost bigint not null,
        billing_currency text not null,
        billing_account_id text not null,
        charge_period_start double precision not null,
        charge_period_end double precision not null,
        charge_category text not null,
        charge_class text,
        provider_name text not null,
        service_name text not null,
        service_category text,
        region_id text,
        resource_id text,
        resource_type text,
        sub_account_id text,
        sku_id text,
        pricing_quantity double precision,
        pricing_unit text,
        consumed_quantity double precision,
        consumed_unit text,
        commitment_discount_id text,
        commitment_discount_type text,
        tags jsonb not null,
        -- The owning team (tags.team), kept as a column because every scoped read filters on it.
        team text
      );
      create index cost_records_period on cost_records (charge_period_start);
      create index cost_records_team on cost_records (team, charge_period_start);
    `,
  },
  {
    version: 10,
    name: 'service owners',
    sql: `
      -- Which team owns a service: the sightline.team resource attribute of its spans, last seen.
      create table service_owners (
        service text primary key,
        team text not null,
        updated_at double precision not null
      );
      create index service_owners_team on service_owners (team);
    `,
  },
  {
    version: 11,
    name: 'alert resolve hold-down',
    sql: `
      -- A firing alert whose condition cleared at cleared_at stays the same alert until resolves_at
      -- (the hold-down): a re-fire before then continues it, with its id and acknowledgement.
      alter table alerts add column cleared_at double precision;
      alter table alerts add column resolves_at double precision;
      -- How many times the condition came back during a hold-down (it flapped).
      alter table alerts add column flaps integer not null default 0;
      create index alerts_resolves_at on alerts (resolves_at) where resolves_at is not null;
    `,
  },
  {
    version: 12,
    name: 'alert deliveries by alert',
    sql: `
      -- Re-sends and resolutions look up what each sink was told of one alert.
      create index alert_deliveries_alert on alert_deliveries (alert_id, sink);
    `,
  },
  {
    version: 13,
    name: 'trace summaries',
    sql: `
      -- One row per trace, maintained by insertSpans in the statement that stores its spans, so a
      -- trace search reads (and limits) summaries instead of grouping every matching span.
      -- The root is the span without a parent (else the earliest); has_root says which it is.
      create table trace_summaries (
        trace_id text primary key,
        start_ms double precision not null,
        end_ms double precision not null,
        duration_ms double precision generated always as (end_ms - start_ms) stored,
        -- The latest span start: with start_ms, the range a time window must overlap.
        last_start_ms double precision not null,
        root_service text not null,
        root_name text not null,
        root_start_ms double precision not null,
        has_root boolean not null,
        span_count integer not null,
        error_count integer not null,
        -- Distinct services with a span in the trace, sorted.
        services text[] not null
      );
      insert into trace_summaries (trace_id, start_ms, end_ms, last_start_ms, root_service, root_name, root_start_ms,
        has_root, span_count, error_count, services)
      select trace_id, min(start_ms), max(start_ms + duration_ms), max(start_ms),
        (array_agg(service order by (parent_span_id is null) desc, start_ms))[1],
        (array_agg(name order by (parent_span_id is null) desc, start_ms))[1],
        (array_agg(start_ms order by (parent_span_id is null) desc, start_ms))[1],
        bool_or(parent_span_id is null), count(*)::int, (count(*) filter (where status_code = 2))::int,
        array_agg(distinct service order by service)
      from spans group by trace_id;
      create index trace_summaries_start on trace_summaries (start_ms desc);
      create index trace_summaries_errors on trace_summaries (start_ms desc) where error_count > 0;
      create index trace_summaries_duration on trace_summaries (duration_ms desc);
      create index trace_summaries_services on trace_summaries using gin (services);
      -- Deleting spans (retention) drops the summaries of traces left without spans and recomputes
      -- those of traces that kept some, so a search never lists a trace it cannot show.
      create or replace function trace_summaries_after_span_delete() returns trigger language plpgsql as $$
      begin
        delete from trace_summaries t using (select distinct trace_id from gone) g
          where t.trace_id = g.trace_id and not exists (select 1 from spans s where s.trace_id = g.trace_id);
        update trace_summaries t set start_ms = a.start_ms, end_ms = a.end_ms, last_start_ms = a.last_start_ms,
          root_service = a.root_service, root_name = a.root_name, root_start_ms = a.root_start_ms, has_root = a.has_root,
          span_count = a.span_count, error_count = a.error_count, services = a.services
        from (
          select trace_id, min(start_ms) as start_ms, max(start_ms + duration_ms) as end_ms, max(start_ms) as last_start_ms,
            (array_agg(service order by (parent_span_id is null) desc, start_ms))[1] as root_service,
            (array_agg(name order by (parent_span_id is null) desc, start_ms))[1] as root_name,
            (array_agg(start_ms order by (parent_span_id is null) desc, start_ms))[1] as root_start_ms,
            bool_or(parent_span_id is null) as has_root, count(*)::int as span_count,
            (count(*) filter (where status_code = 2))::int as error_count,
            array_agg(distinct service order by service) as services
          from spans where trace_id in (select trace_id from gone) group by trace_id
        ) a
        where t.trace_id = a.trace_id;
        return null;
      end $$;
      create or replace trigger spans_deleted after delete on spans referencing old table as gone
        for each statement execute function trace_summaries_after_span_delete();
    `,
  },
  {
    version: 14,
    name: 'day partitions for signals',
    sql: `
      -- Spans, logs and metric points are partitioned by range of their time, one partition per
      -- UTC day (named <table>_pYYYYMMDD) plus <table>_default for any time no day partition
      -- covers, so retention drops whole days instead of deleting rows. A key must include the
      -- partition column, hence (trace_id, span_id, start_ms) and (id, time_ms).

      -- Creates the partition of parent for the UTC day unless it exists; returns whether
      -- it did. Rows of that day waiting in the DEFAULT partition move into it first: PostgreSQL
      -- refuses a partition whose range has rows in DEFAULT. Replicas may call it at once: the
      -- advisory lock serialises them, and a concurrent CREATE that slips past it surfaces as
      -- duplicate_table (or unique_violation on pg_type), which means the partition is there.
      create or replace function ensure_day_partition(parent regclass, day date) returns boolean language plpgsql as $$
      declare
        parent_name text := (select relname from pg_class where oid = parent);
        time_column text := (select a.attname from pg_partitioned_table p
          join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0] where p.partrelid = parent);
        partition_name text := parent_name || '_p' || to_char(day, 'YYYYMMDD');
        from_ms double precision := (day - date '1970-01-01')::double precision * 86400000;
        to_ms double precision := from_ms + 86400000;
      begin
        if time_column is null then
          raise exception 'ensure_day_partition: % is not a range-partitioned table', parent;
        end if;
        perform pg_advisory_xact_lock(hashtext(partition_name));
        if to_regclass(quote_ident(partition_name)) is not null then return false; end if;
        -- Writes to the table wait (readers do not) until this commits: an insert that began
        -- routing before the attach would still send a row of this day to DEFAULT and fail its
        -- new constraint. Taken on the parent first, as DROP of a partition does: no deadlock with
        -- retention. Only once a day per table; the check above returns before locking.
        execute format('lock table only %s in share mode', parent);
        execute format('create table %I (like %s including defaults including constraints)', partition_name, parent);
        execute format('with moved as (delete from %I where %I >= $1 and %I < $2 returning *) insert into %I select * from moved',
          parent_name || '_default', time_column, time_column, partition_name) using from_ms, to_ms;
        -- Attaching builds the parent's indexes on the new partition.
        execute format('alter table %s attach partition %I for values from (%s) to (%s)', parent, partition_name, from_ms, to_ms);
        return true;
      exception when duplicate_table or unique_violation then
        return false;
      end $$;

      -- The summaries of these traces, recomputed from their remaining spans (dropped when none is
      -- left). Shared by the span-delete trigger and retention, which drops partitions (no trigger
      -- fires on DROP) and then refreshes the traces it cut.
      create or replace function refresh_trace_summaries(trace_ids text[]) returns void language plpgsql as $$
      begin
        delete from trace_summaries t
          where t.trace_id = any(trace_ids) and not exists (select 1 from spans s where s.trace_id = t.trace_id);
        update trace_summaries t set start_ms = a.start_ms, end_ms = a.end_ms, last_start_ms = a.last_start_ms,
          root_service = a.root_service, root_name = a.root_name, root_start_ms = a.root_start_ms, has_root = a.has_root,
          span_count = a.span_count, error_count = a.error_count, services = a.services
        from (
          select trace_id, min(start_ms) as start_ms, max(start_ms + duration_ms) as end_ms, max(start_ms) as last_start_ms,
            (array_agg(service order by (parent_span_id is null) desc, start_ms))[1] as root_service,
            (array_agg(name order by (parent_span_id is null) desc, start_ms))[1] as root_name,
            (array_agg(start_ms order by (parent_span_id is null) desc, start_ms))[1] as root_start_ms,
            bool_or(parent_span_id is null) as has_root, count(*)::int as span_count,
            (count(*) filter (where status_code = 2))::int as error_count,
            array_agg(distinct service order by service) as services
          from spans where trace_id = any(trace_ids) group by trace_id
        ) a
        where t.trace_id = a.trace_id;
      end $$;
      create or replace function trace_summaries_after_span_delete() returns trigger language plpgsql as $$
      begin
        perform refresh_trace_summaries(array(select distinct trace_id from gone));
        return null;
      end $$;

      -- The unpartitioned tables step aside (their indexes too, so the names pass to the new ones).
      alter table spans rename to spans_unpartitioned;
      alter index spans_pkey rename to spans_unpartitioned_pkey;
      drop index spans_service_start, spans_start;
      alter table logs rename to logs_unpartitioned;
      alter index logs_pkey rename to logs_unpartitioned_pkey;
      drop index logs_time, logs_trace;
      alter table metric_points rename to metric_points_unpartitioned;
      alter index metric_points_pkey rename to metric_points_unpartitioned_pkey;
      drop index metric_points_series;

      create table spans (
        trace_id text not null,
        span_id text not null,
        parent_span_id text,
        service text not null,
        name text not null,
        kind smallint not null,
        start_ms double precision not null,
        duration_ms double precision not null,
        status_code smallint not null,
        status_message text,
        attributes jsonb not null,
        resource jsonb not null,
        events jsonb not null,
        links jsonb not null,
        scope text,
        primary key (trace_id, span_id, start_ms)
      ) partition by range (start_ms);
      create table spans_default partition of spans default;

      -- Ids keep coming from the same sequences, so they stay unique and increasing across the move.
      create table logs (
        id bigint not null default nextval('logs_id_seq'),
        time_ms double precision not null,
        service text not null,
        severity_number smallint not null,
        severity_text text,
        body text not null,
        trace_id text,
        span_id text,
        attributes jsonb not null,
        resource jsonb not null,
        primary key (id, time_ms)
      ) partition by range (time_ms);
      alter sequence logs_id_seq owned by logs.id;
      create table logs_default partition of logs default;

      create table metric_points (
        id bigint not null default nextval('metric_points_id_seq'),
        name text not null,
        service text not null,
        kind text not null,
        labels jsonb not null,
        time_ms double precision not null,
        value double precision not null,
        histogram jsonb,
        primary key (id, time_ms)
      ) partition by range (time_ms);
      alter sequence metric_points_id_seq owned by metric_points.id;
      create table metric_points_default partition of metric_points default;

      -- A partition for every day the existing rows need and for today..today+2 (UTC, from the
      -- clock of the database at migration time). Rows older than 400 days or later than today+2
      -- go to DEFAULT rather than making a partition each (a bad clock can send any time).
      do $$
      declare
        today date := (now() at time zone 'utc')::date;
        signal record;
        day date;
      begin
        for signal in select * from (values ('spans', 'start_ms'), ('logs', 'time_ms'), ('metric_points', 'time_ms')) as s(tab, col) loop
          for day in execute format(
            $q$select distinct date '1970-01-01' + floor(%I / 86400000)::int from %I
               where %I >= $1 and %I < $2
               union select $3::date + n from generate_series(0, 2) as n$q$,
            signal.col, signal.tab || '_unpartitioned', signal.col, signal.col)
            using (today - 400 - date '1970-01-01')::double precision * 86400000, (today + 3 - date '1970-01-01')::double precision * 86400000, today
          loop
            perform ensure_day_partition(signal.tab::regclass, day);
          end loop;
        end loop;
      end $$;

      insert into spans (trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms, status_code,
        status_message, attributes, resource, events, links, scope)
      select trace_id, span_id, parent_span_id, service, name, kind, start_ms, duration_ms, status_code,
        status_message, attributes, resource, events, links, scope
      from spans_unpartitioned;
      insert into logs (id, time_ms, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource)
      select id, time_ms, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource
      from logs_unpartitioned;
      insert into metric_points (id, name, service, kind, labels, time_ms, value, histogram)
      select id, name, service, kind, labels, time_ms, value, histogram
      from metric_points_unpartitioned;
      -- Dropping fires no delete trigger: the summaries, already right, stay as they are.
      drop table spans_unpartitioned, logs_unpartitioned, metric_points_unpartitioned;

      -- Partitioned indexes: built on each partition now, and on each partition attached later.
      create index spans_service_start on spans (service, start_ms desc);
      create index spans_start on spans (start_ms desc);
      create index logs_time on logs (time_ms desc);
      create index logs_trace on logs (trace_id) where trace_id is not null;
      create index metric_points_series on metric_points (name, service, time_ms desc);

      create or replace trigger spans_deleted after delete on spans referencing old table as gone
        for each statement execute function trace_summaries_after_span_delete();
    `,
  },
  {
    version: 15,
    name: 'service rollups',
    sql: `
      -- Per-minute numbers per service (spans, requests, failures, request durations) and per
      -- calling pair of services, so the service list, overview and map read minutes, not spans
      -- (see service-stats.ts). Durations are counts per logarithmic bucket (duration-histogram.ts).
      create function sightline_duration_bucket(ms double precision) returns integer
        language sql immutable parallel safe as $$ select ${SQL_DURATION_BUCKET} $$;
      -- The sum of two bucket-count objects ({"bucket": count}).
      create function sightline_histogram_merge(a jsonb, b jsonb) returns jsonb
        language sql immutable parallel safe as $$
          select coalesce(jsonb_object_agg(bucket, n), '{}'::jsonb) from (
            select bucket, sum(count::bigint) as n
            from (select * from jsonb_each_text(a) union all select * from jsonb_each_text(b)) as counts(bucket, count)
            group by bucket) as merged $$;
      create aggregate sightline_histogram_sum(jsonb) (sfunc = sightline_histogram_merge, stype = jsonb, initcond = '{}');

      create table service_rollups (
        minute_ms double precision not null,
        service text not null,
        spans integer not null,
        entry_requests integer not null,
        entry_errors integer not null,
        entry_durations jsonb not null,
        root_requests integer not null,
        root_errors integer not null,
        root_durations jsonb not null,
        primary key (minute_ms, service)
      );
      insert into service_rollups (minute_ms, service, spans, entry_requests, entry_errors, entry_durations,
        root_requests, root_errors, root_durations)
      ${rollupAggregate(`(select service, kind, parent_span_id, start_ms, duration_ms, ${FAILED_SPAN} as failed from spans) s`)};

      -- Filled by the leader from the spans (refreshRollups), up to rollup_progress.until_ms.
      create table service_edges (
        minute_ms double precision not null,
        caller text not null,
        callee text not null,
        calls integer not null,
        errors integer not null,
        durations jsonb not null,
        primary key (minute_ms, caller, callee)
      );
      -- Closed hours of both, summed by the same refresh, for windows of hours and days.
      create table service_rollups_hourly (like service_rollups);
      alter table service_rollups_hourly rename column minute_ms to hour_ms;
      alter table service_rollups_hourly add primary key (hour_ms, service);
      create table service_edges_hourly (like service_edges);
      alter table service_edges_hourly rename column minute_ms to hour_ms;
      alter table service_edges_hourly add primary key (hour_ms, caller, callee);
      create table rollup_progress (
        name text primary key,
        until_ms double precision not null
      );
    `,
  },
  {
    version: 16,
    name: 'ingest buffer bookkeeping',
    sql: `
      -- Which JetStream stream sequences the ingest buffer's writers have stored (ingest-buffer.ts):
      -- recorded in the transaction that stores a message, so a redelivery stores nothing twice.
      -- stream_created tells a recreated stream (whose sequences restart) from the old one.
      create table ingest_buffer_applied (
        stream text not null,
        stream_created text not null,
        seq bigint not null,
        applied_at timestamptz not null default now(),
        primary key (stream, stream_created, seq)
      );
    `,
  },
  {
    version: 17,
    name: 'block-range index on span start',
    sql: `
      -- Spans arrive about in the order they start, so a block-range index (a few bytes per 128
      -- pages) finds a window's rows for the reads that go by time alone (the rollups' partial
      -- minutes, the leader's edge refresh, retention), without the B-tree entry every stored span
      -- paid for (about a tenth of the insert's work). Ranges are summarised as they fill.
      drop index spans_start;
      create index spans_start on spans using brin (start_ms) with (autosummarize = on);
    `,
  },
  {
    version: 18,
    name: 'service versions',
    sql: `
      -- The versions each service ran (its resource's service.version) and when their spans first
      -- and last started, kept by insertSpans: the incident timeline's deploys, read without the
      -- index on spans by service and start, which this migration drops (it cost every stored span
      -- a B-tree entry; the remaining reads by service go through a time window).
      create table service_versions (
        service text not null,
        version text not null,
        first_ms double precision not null,
        last_ms double precision not null,
        primary key (service, version)
      );
      insert into service_versions (service, version, first_ms, last_ms)
      select service, resource->>'service.version', min(start_ms), max(start_ms) from spans
      where jsonb_typeof(resource->'service.version') in ('string', 'number', 'boolean')
      group by 1, 2;
      drop index spans_service_start;
    `,
  },
  {
    version: 19,
    name: 'leader hand-off',
    sql: `
      -- What follower replicas pass to the leader (cluster/leader-handoff.ts): SLI events, closed
      -- minutes of request series, points for anomaly detection; the leader deletes what it takes.
      create table leader_handoff (
        id bigserial primary key,
        channel text not null,
        payload jsonb not null
      );
      create index leader_handoff_channel on leader_handoff (channel, id);
    `,
  },
];

/** Advisory-lock key so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 7_346_201;

/**
 * Applies every migration not yet applied, each in its own transaction, and returns the
 * versions applied now. Safe to run from several replicas at once.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.query(`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const rows = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (rows.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** Whether every known migration has been applied (for `/readyz`). */
export async function isMigrated(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<boolean> {
  const rows = await db.query<{ max: number | null }>('select max(version) as max from schema_migrations').catch(() => [{ max: null }]);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  return (rows[0]?.max ?? 0) >= latest;
}
