/**
 * The weight-file editor (issue 6, "Open weight files as pictures"): `.safetensors` and `.npy` files open as a
 * tensor list with statistics and pictures, read header-first. `registerWeightsEditor` is all the extension calls.
 */
import type * as vscode from 'vscode';
import { WeightsEditorProvider } from './provider';

export { WEIGHTS_VIEW_TYPE, type WeightsEditorInfo, WeightsEditorProvider } from './provider';

export function registerWeightsEditor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WeightsEditorProvider {
  const provider = new WeightsEditorProvider(context.extensionUri, log);
  context.subscriptions.push(provider);
  return provider;
}
