// Samples/s of `nnlens train` itself (the bundled CLI in a fresh node process, as a user runs it) for one epoch of
// the seed network (784-64-10 sigmoid, SGD lr 0.1) over the full 60,000-image Fashion-MNIST, at batch 10 and 64.
// The figure is the CLI's own summary: training samples over training time (the end-of-epoch test evaluation is
// timed apart and reported beside it). Needs Debian's dataset-fashion-mnist.
// Run: npx tsx bench/cli-train.bench.ts
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const FASHION = '/usr/share/datasets/fashion-mnist';
const MODEL = path.join(ROOT, 'test/fixtures/data/fashion.nn.json');

interface Summary {
  type: 'summary';
  steps: number;
  samples: number;
  seconds: number;
  evalSeconds: number;
  samplesPerSec: number;
  testAccuracy: number;
}

export function main(): void {
  if (!fs.existsSync(FASHION)) {
    console.log(`nnlens train: ${FASHION} not installed (apt-get install dataset-fashion-mnist), skipped`);
    return;
  }
  // The same bundle as dist/cli.js (scripts/build.mjs), built here so the figure is for the current sources.
  const cli = path.join(ROOT, 'out', 'bench', 'cli.js');
  esbuild.buildSync({ entryPoints: [path.join(ROOT, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], keepNames: true, logLevel: 'silent' });
  console.log('nnlens train, 1 epoch of Fashion-MNIST (60,000 images), seed network 784-64-10 sigmoid, SGD lr 0.1');
  for (const batch of [10, 64]) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'train', MODEL, '--data', FASHION, '--epochs', '1', '--batch-size', String(batch), '--json'], { encoding: 'utf8', timeout: 900_000 });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      console.log(`  batch=${batch}: failed (exit ${r.status}): ${r.stderr.trim()}`);
      continue;
    }
    const lines = r.stdout.trim().split('\n');
    const s = JSON.parse(lines[lines.length - 1]) as Summary;
    console.log(
      `  batch=${batch}: ${s.samplesPerSec.toLocaleString('en-US')} samples/s (${(s.seconds - s.evalSeconds).toFixed(2)} s training, ` +
        `${s.evalSeconds.toFixed(2)} s test evaluation, ${wall.toFixed(2)} s wall with start-up), test accuracy ${(100 * s.testAccuracy).toFixed(2)}%`,
    );
  }
}

if (require.main === module) main();
