import { render } from 'preact';

function App() {
  return <h1>Sightline</h1>;
}

render(<App />, document.getElementById('app')!);
