import { render, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Link, useRoute, type Route } from './router.js';
import { AlertsView } from './views/alerts.js';
import { AnomaliesView } from './views/anomalies.js';
import { ChaosView } from './views/chaos.js';
import { CostsView } from './views/costs.js';
import { IncidentsView } from './views/incidents.js';
import { LogsView } from './views/logs.js';
import { OverviewView } from './views/overview.js';
import { ServiceMapView } from './views/service-map.js';
import { SlosView } from './views/slos.js';
import { TracesView } from './views/traces.js';
import { TraceView } from './views/trace.js';
import './style.css';

const NAV = [
  ['/', 'Overview'],
  ['/slos', 'SLOs'],
  ['/map', 'Service map'],
  ['/traces', 'Traces'],
  ['/logs', 'Logs'],
  ['/anomalies', 'Anomalies'],
  ['/incidents', 'Incidents'],
  ['/costs', 'Costs'],
  ['/chaos', 'Chaos'],
  ['/alerts', 'Alerts'],
] as const;

function section(path: string): string {
  if (path === '/' || path === '') return '/';
  return NAV.find(([p]) => p !== '/' && (path === p || path.startsWith(`${p}/`)))?.[0] ?? '';
}

function View(props: { route: Route }): JSX.Element {
  const { path } = props.route;
  const trace = /^\/traces\/([^/]+)\/?$/.exec(path);
  if (trace !== null) return <TraceView traceId={decodeURIComponent(trace[1]!)} />;
  switch (section(path)) {
    case '/':
      return <OverviewView route={props.route} />;
    case '/slos':
      return <SlosView route={props.route} />;
    case '/map':
      return <ServiceMapView route={props.route} />;
    case '/traces':
      return <TracesView route={props.route} />;
    case '/logs':
      return <LogsView route={props.route} />;
    case '/anomalies':
      return <AnomaliesView route={props.route} />;
    case '/costs':
      return <CostsView route={props.route} />;
    case '/chaos':
      return <ChaosView route={props.route} />;
    case '/incidents':
      return <IncidentsView route={props.route} />;
    case '/alerts':
      return <AlertsView route={props.route} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{path}</code>. <Link href="/">Back to the overview</Link>.
          </p>
        </section>
      );
  }
}

function App(): JSX.Element {
  const route = useRoute();
  const active = section(route.path);
  useEffect(() => {
    const label = NAV.find(([p]) => p === active)?.[1];
    document.title = label === undefined ? 'Sightline' : `${label} · Sightline`;
  }, [active]);
  // On a new page (not a new query: filters keep focus in their form), focus moves to the main
  // content, as a full page load would start a screen reader there rather than on the link left behind.
  const shownPath = useRef(route.path);
  useEffect(() => {
    if (shownPath.current === route.path) return;
    shownPath.current = route.path;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.path]);
  // The skip link moves focus (not the URL) to the main content: a hash in the URL would be a route change here.
  const skipToMain = (event: MouseEvent) => {
    event.preventDefault();
    const main = document.getElementById('main');
    main?.focus();
    main?.scrollIntoView();
  };
  return (
    <>
      <a class="skip-link" href="#main" onClick={skipToMain}>Skip to main content</a>
      <header class="topbar">
        <Link href="/" class="brand">Sightline</Link>
        <nav aria-label="main">
          {NAV.map(([path, label]) => (
            <Link key={path} href={path} class={active === path ? 'active' : ''} current={active !== path ? undefined : route.path === path ? 'page' : 'true'}>{label}</Link>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
