/**
 * The visualizer webview's entry point (bundled to dist/webview.js, an IIFE loaded by `<script nonce>`; its styles
 * are bundled to dist/webview.css, loaded by `<link>`). The page needs no markup of its own (it mounts into `#app` when there is one).
 */
import './style.css';
import { App } from './app';

// The host's page may hold a `<div id="app">` to mount into; otherwise the body is the root.
const app = new App(document.getElementById('app') ?? document.body);
window.addEventListener('message', (e: MessageEvent<unknown>) => app.handle(e.data));
app.start();
