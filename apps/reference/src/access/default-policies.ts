import type { PolicySet } from '@sightline/abac';

/**
 * The app's own policies when the config names none: viewers read everything, operators also
 * acknowledge and silence alerts and run chaos, finance sees every team's costs and uploads bills,
 * auditors read the whole audit trail, ingest credentials send telemetry (OTLP) and nothing else,
 * admins do all of that and manage SLOs and policies. Cost readers other than finance see only
 * their own team's rows; audit readers other than auditors see only their own decisions. Deletes
 * of audit data are denied to everyone (the trail is append-only).
 */
export const DEFAULT_APP_POLICIES: PolicySet = {
  roles: { viewer: {}, operator: { inherits: ['viewer'] }, finance: { inherits: ['viewer'] }, auditor: { inherits: ['viewer'] }, ingest: {}, admin: { inherits: ['operator', 'finance', 'auditor', 'ingest'] } },
  policies: [
    { id: 'viewers-read', effect: 'allow', target: { actions: ['read'], roles: ['viewer'] } },
    { id: 'viewers-ask-the-pdp', effect: 'allow', target: { actions: ['decide'], resourceTypes: ['authz'], roles: ['viewer'] } },
    // A reader on a team sees its team's services; operators handle alerts everywhere, so see all.
    { id: 'operators-see-all-services', effect: 'allow', target: { actions: ['read-all'], resourceTypes: ['services'], roles: ['operator'] } },
    { id: 'operators-handle-alerts', effect: 'allow', target: { actions: ['acknowledge', 'silence'], resourceTypes: ['alerts'], roles: ['operator'] } },
    { id: 'operators-run-chaos', effect: 'allow', target: { actions: ['run'], resourceTypes: ['chaos'], roles: ['operator'] } },
    { id: 'operators-feed-slis', effect: 'allow', target: { actions: ['record'], resourceTypes: ['slos'], roles: ['operator'] } },
    // Cost rows are scoped: a reader sees its own team's rows unless it may `read-all` of them.
    { id: 'finance-sees-all-costs', effect: 'allow', target: { actions: ['read-all', 'import'], resourceTypes: ['costs'], roles: ['finance'] } },
    // OTLP ingest (POST /v1/traces|metrics|logs) in token mode; the credential's team owns what it claims.
    { id: 'ingesters-send-telemetry', effect: 'allow', target: { actions: ['ingest'], resourceTypes: ['traces', 'metrics', 'logs'], roles: ['ingest'] } },
    // Audit readers see their own decisions unless they may `read-all` of the trail.
    { id: 'auditors-read-the-whole-trail', effect: 'allow', target: { actions: ['read-all'], resourceTypes: ['audit'], roles: ['auditor'] } },
    { id: 'admins-manage', effect: 'allow', target: { actions: ['manage'], resourceTypes: ['slos', 'policies'], roles: ['admin'] } },
    { id: 'audit-is-append-only', effect: 'deny', target: { actions: ['delete'], resourceTypes: ['audit'] } },
  ],
};
