/**
 * The weight-file editor's page: the same discipline as the visualizer panel (src/extension/panel.ts): a strict
 * Content-Security-Policy (`default-src 'none'`, the script only by a fresh nonce, styles, images and fonts only
 * from the webview's own source), the bundle dist/weights-editor.js and its stylesheet, nothing inline.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export const SCRIPT = 'weights-editor.js';
export const STYLES = 'weights-editor.css';

function nonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** Folders the page may load from: dist/ and media/ only. */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function weightsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const n = nonce();
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, SCRIPT));
  const cssFile = vscode.Uri.joinPath(dist, STYLES);
  const css = fs.existsSync(cssFile.fsPath) ? `<link rel="stylesheet" href="${webview.asWebviewUri(cssFile)}">` : '';
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(title)}</title>
${css}
</head>
<body>
<div id="app" aria-label="${esc(title)}"></div>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}
