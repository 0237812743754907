// TensorFlow.js 4.22's side of the epoch benchmark, on its pure-JavaScript `cpu` backend or its `wasm` backend (one
// thread, SIMD; the .wasm is read from node_modules/@tensorflow/tfjs-backend-wasm/dist, nothing is downloaded).
// The same MLP as the others, written as a TF.js user writes it: tf.variable weights with PyTorch's init
// U(-1/sqrt(in), 1/sqrt(in)), the training set as one [60000, 784] float tensor, batches by tf.gather of a shuffled
// index slice, tf.losses.softmaxCrossEntropy on the logits, tf.train.sgd(lr).minimize, the loss read every step.
// Run by hand: npx tsx bench/epoch/tfjs.ts --backend cpu|wasm        (the bench runs it with --serve)
import type * as FS from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { Clock, main, type RunResult, type Workload } from './protocol';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const backend = arg('--backend') ?? 'wasm';
if (backend !== 'cpu' && backend !== 'wasm') throw new Error(`--backend must be cpu or wasm, got ${backend}`);

/** Which .wasm files the backend reads (to say which one runs). */
const wasmFiles: string[] = [];
const fs = createRequire(__filename)('node:fs') as typeof FS; // the module object the backend's loader requires
const readFileSync = fs.readFileSync;
fs.readFileSync = ((p: FS.PathOrFileDescriptor, ...rest: unknown[]) => {
  if (typeof p === 'string' && p.endsWith('.wasm')) wasmFiles.push(p);
  return (readFileSync as (...a: unknown[]) => unknown)(p, ...rest);
}) as typeof FS.readFileSync;

/** A Fisher-Yates permutation from a small seeded generator (mulberry32). */
function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

function toFloat(images: Uint8Array): Float32Array {
  const f = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) f[i] = images[i] / 255;
  return f;
}

void main(async (data) => {
  let simd: boolean | null = null;
  if (backend === 'wasm') {
    setThreadsCount(1);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not initialise`);
  await tf.ready();
  if (backend === 'wasm') simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const px = data.train.rows * data.train.cols;
  const X = tf.tensor2d(toFloat(data.train.images), [data.train.count, px]);
  const Y = tf.tensor1d(Int32Array.from(data.train.labels), 'int32');
  const XT = tf.tensor2d(toFloat(data.test.images), [data.test.count, px]);
  const YT = tf.tensor1d(Int32Array.from(data.test.labels), 'int32');
  const classes = data.train.classNames.length;

  const run = (w: Workload, seed: number, maxBatches: number | null): RunResult => {
    const vars: tf.Variable[] = [];
    for (let i = 1; i < w.sizes.length; i++) {
      const k = 1 / Math.sqrt(w.sizes[i - 1]);
      vars.push(tf.variable(tf.randomUniform([w.sizes[i - 1], w.sizes[i]], -k, k, 'float32', seed * 100 + 2 * i)));
      vars.push(tf.variable(tf.randomUniform([w.sizes[i]], -k, k, 'float32', seed * 100 + 2 * i + 1)));
    }
    const forward = (x: tf.Tensor2D): tf.Tensor2D => {
      let h = x;
      for (let i = 0; i < vars.length; i += 2) {
        h = tf.add(tf.matMul(h, vars[i] as tf.Tensor2D), vars[i + 1]);
        if (i < vars.length - 2) h = w.act === 'sigmoid' ? tf.sigmoid(h) : tf.relu(h);
      }
      return h;
    };
    const opt = tf.train.sgd(w.lr);
    const n = data.train.count;
    const perm = permutation(n, seed);
    let loss = 0;
    let batches = 0;
    let samples = 0;
    const clock = new Clock();
    for (let i = 0; i < n; i += w.batch) {
      const idx = perm.subarray(i, Math.min(n, i + w.batch));
      const cost = tf.tidy(() => {
        const ix = tf.tensor1d(idx, 'int32');
        const x = tf.gather(X, ix) as tf.Tensor2D;
        const y = tf.oneHot(tf.gather(Y, ix), classes);
        const c = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, true, vars);
        if (!c) throw new Error('minimize returned no cost');
        return c;
      });
      loss += cost.dataSync()[0];
      cost.dispose();
      batches++;
      samples += idx.length;
      if (maxBatches && batches >= maxBatches) break;
    }
    const times = clock.stop();
    let correct = 0;
    for (let i = 0; i < data.test.count; i += 1000) {
      const size = Math.min(1000, data.test.count - i);
      const c = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(forward(tf.slice(XT, [i, 0], [size, px]) as tf.Tensor2D), 1), tf.slice(YT, [i], [size])), 'int32')));
      correct += c.dataSync()[0];
      c.dispose();
    }
    opt.dispose();
    for (const v of vars) v.dispose();
    return { ...times, batches, samples, trainLoss: loss / batches, testAccuracy: correct / data.test.count, testCount: data.test.count };
  };

  return {
    info: {
      name: `tfjs-${backend}`,
      version: `TensorFlow.js ${tf.version_core}, ${backend} backend${backend === 'wasm' ? ` ${version_wasm}` : ''}`,
      backend: tf.getBackend(),
      simd,
      wasmFiles: [...new Set(wasmFiles)],
    },
    run,
  };
});
