/** The console's entry point (index.html loads it as a module; nothing runs inline: CSP). */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
