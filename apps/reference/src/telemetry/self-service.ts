/**
 * The `service.name` of the app's own telemetry (its SERVER span per API request). The trace list
 * hides traces made only of these spans unless asked (`includeSelf=true`): otherwise the page's own
 * polling of the API would bury the traces of the services being observed.
 */
export const SELF_SERVICE = 'sightline';
