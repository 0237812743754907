/**
 * The weight-file editor's page: the same discipline as the visualizer panel (src/extension/panel.ts): a strict
 * Content-Security-Policy (`default-src 'none'`, the script only by a fresh nonce, styles, images and fonts only
 * from the webview's own source), the bundle dist/weights-editor.js and its stylesheet, nothing inline.
 */
import * as vscode from 'vscode';
import { pageHtml } from '../page-html';

export const SCRIPT = 'weights-editor.js';
export const STYLES = 'weights-editor.css';

/** Folders the page may load from: dist/ and media/ only. */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function weightsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return pageHtml(webview, extensionUri, title, SCRIPT, STYLES);
}
