// Memory of training, as the worker trains: the Trainer on the embedded MNIST subset (8,000 train / 2,000 test
// images), batch 10, SGD, 5 epochs with a test evaluation after each, for
//   seed: the notebook's 784-64-10 sigmoid network (lr 0.1; test/fixtures/data/seed.nn.json)
//   wide: 784-512-512-10 with ReLU (lr 0.05)
// Each network trains in its own process (node --expose-gc), so the figures are its own:
//   peak RSS      process.resourceUsage().maxRSS, the most resident memory the process ever had
//   peak heap     the largest heapUsed / arrayBuffers seen, sampled every 20 steps (before any forced GC)
//   after GC      heapUsed / arrayBuffers / RSS after a full GC at the end of each epoch: what training keeps;
//                 flat across epochs means nothing accumulates
// Run: npx tsx bench/memory.bench.ts        (or: npm run bench memory)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEmbedded } from '../src/data/dataset';
import { loadModelSpec } from '../src/model/load';
import type { ModelSpec } from '../src/model/spec';
import { Trainer } from '../src/train/trainer';

const ROOT = path.join(__dirname, '..');
const EPOCHS = 5;
const MB = 2 ** 20;

interface Sample {
  epoch: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}
interface Result {
  name: string;
  params: number;
  seconds: number;
  testAccuracy: number;
  baseline: Sample;
  epochs: Sample[];
  peakHeapUsed: number;
  peakArrayBuffers: number;
  maxRss: number;
}

function specFor(name: string): ModelSpec {
  if (name === 'seed') return loadModelSpec(fs.readFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), 'utf8'), 'seed.nn.json');
  const text = JSON.stringify({
    name: 'wide',
    input: { shape: [784], dataset: 'mnist' },
    layers: [{ name: 'W1', type: 'Linear', in: 784, out: 512 }, { type: 'ReLU' }, { name: 'W2', type: 'Linear', out: 512 }, { type: 'ReLU' }, { name: 'W3', type: 'Linear', out: 10 }],
    train: { batchSize: 10, epochs: EPOCHS, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.05 } },
  });
  return loadModelSpec(text, 'wide.nn.json');
}

function child(name: string): Result {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const sample = (epoch: number): Sample => {
    gc();
    const m = process.memoryUsage();
    return { epoch, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
  };
  const data = loadEmbedded(path.join(ROOT, 'media/mnist'));
  const spec = specFor(name);
  const baseline = sample(0);
  const trainer = new Trainer(spec, data, { epochs: EPOCHS, batchSize: 10, seed: 0, shuffle: true });
  const epochs: Sample[] = [];
  let peakHeapUsed = 0;
  let peakArrayBuffers = 0;
  let steps = 0;
  const t0 = performance.now();
  const done = trainer.runAll((e) => {
    if (e.type === 'step' && ++steps % 20 === 0) {
      const m = process.memoryUsage();
      peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
      peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    }
    if (e.type === 'epochEnd') epochs.push(sample(e.epoch));
  });
  const seconds = (performance.now() - t0) / 1000;
  const params = trainer.model.parameters().reduce((n, p) => n + p.numel(), 0);
  return { name, params, seconds, testAccuracy: done.test.accuracy, baseline, epochs, peakHeapUsed, peakArrayBuffers, maxRss: process.resourceUsage().maxRSS * 1024 };
}

const mb = (n: number): string => (n / MB).toFixed(1).padStart(7);

function report(r: Result): void {
  console.log(`\n${r.name}: ${r.params.toLocaleString('en-US')} parameters, ${EPOCHS} epochs in ${r.seconds.toFixed(0)} s, test accuracy ${(100 * r.testAccuracy).toFixed(2)}%`);
  console.log(`  peak RSS ${mb(r.maxRss).trim()} MiB (${mb(r.maxRss - r.baseline.rss).trim()} MiB above the process with its data loaded), peak heapUsed ${mb(r.peakHeapUsed).trim()} MiB, peak arrayBuffers ${mb(r.peakArrayBuffers).trim()} MiB`);
  console.log('  after a full GC (MiB):   epoch      RSS  heapUsed  arrayBuffers');
  for (const s of [r.baseline, ...r.epochs]) console.log(`  ${(s.epoch === 0 ? 'before training' : '').padEnd(24)}${String(s.epoch).padStart(5)} ${mb(s.rss)} ${mb(s.heapUsed)}  ${mb(s.arrayBuffers)}`);
  const first = r.epochs[0];
  const last = r.epochs[r.epochs.length - 1];
  console.log(`  epoch ${first.epoch} → ${last.epoch}: heapUsed ${((last.heapUsed - first.heapUsed) / MB).toFixed(2)} MiB, arrayBuffers ${((last.arrayBuffers - first.arrayBuffers) / MB).toFixed(2)} MiB, RSS ${((last.rss - first.rss) / MB).toFixed(1)} MiB`);
}

function main(): void {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    process.stdout.write(JSON.stringify(child(process.argv[i + 1])) + '\n');
    return;
  }
  const results: Result[] = [];
  for (const name of ['seed', 'wide']) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', name], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Result;
    report(res);
    results.push(res);
  }
  console.log('\n' + JSON.stringify({ bench: 'memory', results: results.map((r) => ({ name: r.name, params: r.params, maxRssMiB: +(r.maxRss / MB).toFixed(1), peakHeapUsedMiB: +(r.peakHeapUsed / MB).toFixed(1), peakArrayBuffersMiB: +(r.peakArrayBuffers / MB).toFixed(1), heapUsedAfterGcMiB: r.epochs.map((s) => +(s.heapUsed / MB).toFixed(2)) })) }));
}

main();
