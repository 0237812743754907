// What activation costs before a model file appears: the time Node takes to load (read, compile, run the top level
// of) dist/extension.js, the light entry point VS Code activates on any JSON-with-comments file, against
// dist/extension-main.js, the rest it loads once a model file needs it. Each load runs in a fresh process (no module
// or code cache) with a stand-in `vscode` module: only the loading is measured, not the host. Build first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QUICK, writeResults, type SummaryRow } from './results';

const ROOT = path.resolve(__dirname, '..');
const RUNS = QUICK ? 5 : 15;

// Runs in the child (a CommonJS file, so the module loader is warm as in a host): a `vscode` whose every member is a
// callable, constructible no-op, then one timed require.
const CHILD = `
const Module = require('module');
const fs = require('fs');
const file = process.argv[2];
const names = [...new Set([...fs.readFileSync(file, 'utf8').matchAll(/vscode\\d*\\.(\\w+)/g)].map((m) => m[1]))];
const deep = () => new Proxy(function () {}, { get: (t, k) => (k === Symbol.toPrimitive ? () => 0 : k === 'prototype' ? {} : deep()), construct: () => deep() });
const fake = {};
for (const n of names) fake[n] = deep();
const resolve = Module._resolveFilename;
Module._resolveFilename = function (req, ...a) { return req === 'vscode' ? 'vscode' : resolve.call(this, req, ...a); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake };
const t0 = process.hrtime.bigint();
require(file);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

const child = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-activation-')), 'load.cjs');
fs.writeFileSync(child, CHILD);

function measure(bundle: string): number[] {
  const file = path.join(ROOT, 'dist', bundle);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [child, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`loading ${bundle} failed: ${r.stderr}`);
    ms.push(Number(r.stdout));
  }
  return ms.sort((a, b) => a - b);
}

const kb = (bundle: string) => (fs.statSync(path.join(ROOT, 'dist', bundle)).size / 1024).toFixed(0);
const summary: SummaryRow[] = [];
const figures: Record<string, { kb: number; medianMs: number; minMs: number; maxMs: number; runs: number }> = {};
for (const bundle of ['extension.js', 'extension-main.js']) {
  const ms = measure(bundle);
  const med = ms[Math.floor(RUNS / 2)];
  console.log(`${bundle.padEnd(18)} ${kb(bundle).padStart(4)} KB: load median ${med.toFixed(1)} ms, min ${ms[0].toFixed(1)} ms, max ${ms[RUNS - 1].toFixed(1)} ms over ${RUNS} fresh processes`);
  figures[bundle] = { kb: Number(kb(bundle)), medianMs: +med.toFixed(2), minMs: +ms[0].toFixed(2), maxMs: +ms[RUNS - 1].toFixed(2), runs: RUNS };
  const what = bundle === 'extension.js' ? 'activation: light entry (dist/extension.js) loaded' : 'rest loaded when a model file appears (dist/extension-main.js)';
  summary.push({ metric: what, value: `${med.toFixed(1)} ms (${kb(bundle)} KB)`, target: '', ok: null });
}
writeResults('activation', summary, figures);
fs.rmSync(path.dirname(child), { recursive: true, force: true });
