/**
 * The HTML of NN Lens's webview pages (the visualizer and the weight-file editor): a strict Content-Security-Policy
 * (`default-src 'none'`, the script only by a fresh nonce, styles, images and fonts only from the webview's own
 * source), one bundle from dist/ and its stylesheet when there is one, nothing inline.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';

function nonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** The page loading dist/`script` (and dist/`styles` when built), titled `title`. */
export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, script: string, styles: string): string {
  const n = nonce();
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const src = webview.asWebviewUri(vscode.Uri.joinPath(dist, script));
  const cssFile = vscode.Uri.joinPath(dist, styles);
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
<script nonce="${n}" src="${src}"></script>
</body>
</html>`;
}
