// One epoch of the notebook's 784-64-10 sigmoid MLP with SGD (lr 0.1, cross-entropy on the logits) over 60,000
// 28x28 images, at batch 10 and 64, in our engine; and the same in PyTorch 1.13 on one thread when
// /usr/bin/python3 can import torch (bench/pytorch_epoch.py), for a side-by-side figure.
// Run: npx tsx bench/engine-epoch.bench.ts
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as torch from '../src/engine';
import { DataLoader } from '../src/data/loader';
import type { ImageDataset } from '../src/data/dataset';
import { density, fashion60k, mnist60k } from './datasets';

const { nn, optim } = torch;
const F = nn.functional;

function epoch(ds: ImageDataset, batchSize: number): { seconds: number; loss: number } {
  torch.manualSeed(0);
  const model = new nn.Sequential([['W1', new nn.Linear(784, 64)], ['1', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)]]);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const loader = new DataLoader(ds, { batchSize, shuffle: true, seed: 0 });
  let loss = NaN;
  const t0 = performance.now();
  for (const b of loader) {
    opt.zeroGrad();
    const l = F.crossEntropy(model.forward(b.x), b.y);
    l.backward();
    opt.step();
    loss = l.item();
  }
  return { seconds: (performance.now() - t0) / 1000, loss };
}

function pytorch(data: string, batches: number[]): string {
  const script = path.join(__dirname, 'pytorch_epoch.py');
  const r = spawnSync('/usr/bin/python3', [script, '--data', data, ...batches.map(String)], { encoding: 'utf8', timeout: 600_000 });
  if (r.error || r.status !== 0) return `  pytorch: not available (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`;
  return r.stdout.trim().split('\n').map((l) => '  ' + l).join('\n');
}

export function main(): void {
  const sets: [string, ImageDataset | null][] = [['mnist', mnist60k()], ['fashion', fashion60k()]];
  for (const [name, ds] of sets) {
    if (!ds) {
      console.log(`${name}: not installed (apt-get install dataset-fashion-mnist), skipped`);
      continue;
    }
    console.log(`${ds.name}: ${ds.count} images, ${(100 * density(ds)).toFixed(1)}% non-zero pixels`);
    for (const b of [10, 64]) {
      epoch(ds, b); // warm-up: JIT and caches
      const r = epoch(ds, b);
      console.log(`  nn-lens engine batch=${b}: ${r.seconds.toFixed(2)} s/epoch, ${Math.round(ds.count / r.seconds).toLocaleString('en-US')} samples/s, last loss ${r.loss.toFixed(4)}`);
    }
    console.log(pytorch(name, [10, 64]));
  }
}

if (require.main === module) main();
