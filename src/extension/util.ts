/** Small helpers shared by the extension's glue. */
import * as vscode from 'vscode';
import type { SourceRange } from '../protocol';

export const MODEL_SUFFIX = '.nn.json';

export function isModelUri(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return !!uri && uri.path.endsWith(MODEL_SUFFIX);
}

export function isModelDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && isModelUri(doc.uri);
}

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** `dir/mnist-mlp.nn.json` → `dir/mnist-mlp` + suffix. */
export function sibling(model: vscode.Uri, suffix: string): vscode.Uri {
  const base = model.path.slice(model.path.lastIndexOf('/') + 1).replace(/\.nn\.json$/, '');
  return vscode.Uri.joinPath(model, '..', base + suffix);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `fn` at most once per `ms`, always with the latest arguments (trailing call guaranteed). */
export function throttle<A extends unknown[]>(ms: () => number, fn: (...a: A) => void): { call(...a: A): void; flush(): void; dispose(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let pending: A | undefined;
  const run = () => {
    timer = undefined;
    if (!pending) return;
    const a = pending;
    pending = undefined;
    last = Date.now();
    fn(...a);
  };
  return {
    call(...a: A) {
      pending = a;
      if (timer) return;
      const wait = Math.max(0, last + ms() - Date.now());
      if (wait === 0) run();
      else timer = setTimeout(run, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      run();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
