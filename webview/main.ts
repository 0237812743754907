/**
 * The visualizer webview's entry point (bundled to dist/webview.js, an IIFE loaded by `<script nonce>`; its styles
 * are bundled to dist/webview.css, loaded by `<link>`). The page needs no markup of its own.
 */
import './style.css';
import { App } from './app';

const app = new App(document.body);
window.addEventListener('message', (e: MessageEvent<unknown>) => app.handle(e.data));
app.start();
