import type { PolicySet } from '@sightline/abac';

/**
 * The app's own policies when the config names none: viewers read everything, operators also
 * acknowledge and silence alerts and run chaos, finance sees every team's costs and uploads bills,
 * admins do all of that and manage SLOs and policies. Cost readers other than finance see only
 * their own team's rows. Deletes of audit data are denied to everyone (the trail is append-only).
 */
export const DEFAULT_APP_POLICIES: PolicySet = {
  roles: { viewer: {}, operator: { inherits: ['viewer'] }, finance: { inherits: ['viewer'] }, admin: { inherits: ['operator', 'finance'] } },
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
    { id: 'admins-manage', effect: 'allow', target: { actions: ['manage'], resourceTypes: ['slos', 'policies'], roles: ['admin'] } },
    { id: 'audit-is-append-only', effect: 'deny', target: { actions: ['delete'], resourceTypes: ['audit'] } },
  ],
};
