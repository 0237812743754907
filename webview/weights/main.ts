/**
 * The weight-file editor's page (bundled to dist/weights-editor.js, its styles, the visualizer's included, to
 * dist/weights-editor.css). It mounts into `#app` and announces `ready`; see app.ts.
 */
import '../style.css';
import './style.css';
import { WeightsApp } from './app';

const app = new WeightsApp(document.getElementById('app') ?? document.body);
window.addEventListener('message', (e: MessageEvent<unknown>) => app.handle(e.data));
app.start();
