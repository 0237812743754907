/**
 * Serves the harness page on 127.0.0.1: the built dist/webview.js and dist/webview.css, and the stand-in VS Code
 * API (test/webview/page/harness.ts, bundled here), under a Content-Security-Policy as strict as the host's.
 */
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');
const NONCE = 'harness-nonce';
export const CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self'; img-src 'self' data:; font-src 'self'`;

/** A page as VS Code serves one: the same CSP, the harness's stand-in for the webview API, then the bundle. */
export function harnessHtml(title = 'NN Lens', bundle = 'webview'): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${title}</title>
<link rel="stylesheet" href="/dist/${bundle}.css">
</head>
<body>
<div id="app" aria-label="${title}"></div>
<script nonce="${NONCE}" src="/harness.js"></script>
<script nonce="${NONCE}" src="/dist/${bundle}.js"></script>
</body>
</html>`;
}

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves dist/`bundle`.js and .css (the visualizer's `webview`, or the weight-file editor's `weights-editor`) in
 * `harnessHtml`; `dist`: where they are (the repository's dist/ by default).
 */
export async function startServer(dist = path.join(ROOT, 'dist'), bundle = 'webview', title = 'NN Lens'): Promise<HarnessServer> {
  for (const f of [`${bundle}.js`, `${bundle}.css`]) {
    if (!fs.existsSync(path.join(dist, f))) throw new Error(`${path.join(dist, f)} is missing: run \`npm run build\` first (npm run test:webview does)`);
  }
  const bundled = await build({
    entryPoints: [path.join(ROOT, 'test/webview/page/harness.ts')],
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120', logLevel: 'silent',
  });
  const harnessJs = bundled.outputFiles[0].text;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', harnessHtml(title, bundle));
    if (url.pathname === '/harness.js') return send(200, 'text/javascript', harnessJs);
    const m = /^\/dist\/([\w-]+\.(?:js|css))$/.exec(url.pathname);
    if (m && (m[1] === `${bundle}.js` || m[1] === `${bundle}.css`)) return send(200, m[1].endsWith('.js') ? 'text/javascript' : 'text/css', fs.readFileSync(path.join(dist, m[1])));
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
