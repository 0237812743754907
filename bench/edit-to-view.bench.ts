// From a model-file edit to the messages that update the visualizer, on the extension host's code path: ModelState
// (src/extension/state) re-analyses the text (jsonc parse, checks, shape inference: src/model), rebuilds the model
// keeping the layers whose name and shapes did not change and initialising the others afresh, and announces the
// new model and weights as webview messages, which the panel posts (serialized here with v8.serialize, standing in
// for webview.postMessage). In the editor the analysis starts after the typing debounce (ANALYSE_DELAY_MS in
// src/extension/models.ts), and the page then draws the update (the heatmap frame: bench/webview-render.bench.ts).
//
// Edits, alternating so every one changes something:
//   resize: the first Linear's "out" 64 ↔ 48 (or 256 ↔ 192): that layer and the next are initialised afresh;
//   lr:     the learning rate 0.1 ↔ 0.2: every layer keeps its weights.
// Run: npx tsx bench/edit-to-view.bench.ts [--quick]      Writes bench/results/edit-to-view.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { analyze } from '../src/extension/analysis';
import { ModelState, rebuildKeeping } from '../src/extension/state';
import { QUICK, median, quantile, writeResults } from './results';

const ROOT = path.resolve(__dirname, '..');
const EDITS = QUICK ? 30 : 120;
const WARMUP = 20;
const OPTIONS = { maxParameters: 5_000_000 };

const example = fs.readFileSync(path.join(ROOT, 'examples/mnist-mlp.nn.json'), 'utf8');
const wide = example
  .replace('{ "name": "W1", "type": "Linear", "in": 784, "out": 64 }', '{ "name": "W1", "type": "Linear", "in": 784, "out": 256 }, { "type": "ReLU" }, { "name": "H", "type": "Linear", "out": 256 }')
  .replace('"lr": 0.1', '"lr": 0.05');

interface Model {
  name: string;
  text: string;
  /** The resize edit: [from, to] in the text, and how the output names it. */
  resize: [string, string];
  resizeLabel: string;
  lr: [string, string];
  lrLabel: string;
}

const MODELS: Model[] = [
  { name: '784-64-10 sigmoid (examples/mnist-mlp.nn.json)', text: example, resize: ['"out": 64 }', '"out": 48 }'], resizeLabel: 'W1 out 64 ↔ 48', lr: ['"lr": 0.1', '"lr": 0.2'], lrLabel: 'lr 0.1 ↔ 0.2' },
  { name: '784-256-256-10', text: wide, resize: ['"in": 784, "out": 256 }', '"in": 784, "out": 192 }'], resizeLabel: 'W1 out 256 ↔ 192', lr: ['"lr": 0.05', '"lr": 0.1'], lrLabel: 'lr 0.05 ↔ 0.1' },
];

interface Phases {
  total: number[];
  analyze: number[];
  rebuild: number[];
  serialize: number[];
  bytes: number;
  reinitialised: string[];
}

function debounceMs(): number | null {
  const src = fs.readFileSync(path.join(ROOT, 'src/extension/models.ts'), 'utf8');
  const m = /ANALYSE_DELAY_MS\s*=\s*(\d+)/.exec(src);
  return m ? Number(m[1]) : null;
}

function measure(model: Model, kind: 'resize' | 'lr'): Phases {
  const state = new ModelState('bench://model.nn.json', () => OPTIONS);
  let serialize = 0;
  let bytes = 0;
  state.onMessage((m) => {
    const t = performance.now();
    bytes += v8.serialize(m).length;
    serialize += performance.now() - t;
  });
  state.update(model.text, 0);
  const [from, to] = model[kind];
  if (!model.text.includes(from)) throw new Error(`${model.name}: ${from} not found`);
  const texts = [model.text.replace(from, to), model.text];
  const out: Phases = { total: [], analyze: [], rebuild: [], serialize: [], bytes: 0, reinitialised: [] };
  for (let i = 0; i < WARMUP + EDITS; i++) {
    const text = texts[i % 2];
    // The phases apart (each on its own), then the whole update as the host runs it.
    let t = performance.now();
    const a = analyze(text, state.uri, OPTIONS);
    const tAnalyze = performance.now() - t;
    if (!a.spec) throw new Error(`${model.name}: the edited text has errors`);
    t = performance.now();
    rebuildKeeping(a.spec, state.model, state.builtSpec);
    const tRebuild = performance.now() - t;
    serialize = 0;
    bytes = 0;
    t = performance.now();
    state.update(text, i + 1);
    const tTotal = performance.now() - t;
    if (i >= WARMUP) {
      out.total.push(tTotal);
      out.analyze.push(tAnalyze);
      out.rebuild.push(tRebuild);
      out.serialize.push(serialize);
      out.bytes = bytes;
      out.reinitialised = state.reinitialised;
    }
  }
  return out;
}

const f = (x: number): string => `${x.toFixed(2)} ms`;

function main(): void {
  const debounce = debounceMs();
  console.log(`model-file edit → visualizer messages, on the host's code path (ModelState.update + message serialization): median of ${EDITS} edits after ${WARMUP} warm-up`);
  const results: { model: string; edit: string; total: number; p95: number; analyze: number; rebuild: number; messages: number; serialize: number; bytes: number; reinitialised: string[] }[] = [];
  for (const model of MODELS) {
    for (const kind of ['resize', 'lr'] as const) {
      const p = measure(model, kind);
      const r = {
        model: model.name, edit: kind === 'resize' ? model.resizeLabel : model.lrLabel,
        total: median(p.total), p95: quantile(p.total, 0.95), analyze: median(p.analyze), rebuild: median(p.rebuild), messages: 0, serialize: median(p.serialize), bytes: p.bytes, reinitialised: p.reinitialised,
      };
      r.messages = Math.max(0, r.total - r.analyze - r.rebuild);
      results.push(r);
      console.log(`  ${model.name}, ${kind} (${r.edit}; initialised afresh: ${r.reinitialised.join(', ') || 'none'}):`);
      console.log(`    total ${f(r.total)} (p95 ${f(r.p95)}) = parse + checks + shape inference ${f(r.analyze)} + rebuild / re-init ${f(r.rebuild)} + messages built and serialized ${f(r.messages)} (serialization ${f(r.serialize)}, ${(r.bytes / 1024).toFixed(0)} KiB)`);
    }
  }
  console.log(`  in the editor: + the ${debounce ?? '?'} ms typing debounce before the analysis, + the page's frame (bench/webview-render.bench.ts); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const row = (i: number) => {
    const r = results[i];
    return { metric: `model-file edit → view messages, ${r.model.replace(/ \(.*\)$/, '')}, ${r.edit}`, value: `${f(r.total)} (+ ${debounce ?? '?'} ms debounce)`, target: '', ok: null };
  };
  writeResults('edit-to-view', [row(0), row(2)], { edits: EDITS, debounceMs: debounce, results });
}

main();
