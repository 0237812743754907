// Our engine's side of the epoch benchmark: the Trainer of src/train, as the training worker runs it (a model file's
// spec built by src/model into nn.Sequential of nn.Linear and activations, the engine's DataLoader turning uint8
// images into float batches, F.cross_entropy on the logits, optim.SGD, loss.item() and the running accuracy every
// step), with the kernel helper thread the worker starts (src/train/kernel-threads.ts). Timed from the first batch to the end of the last step (wall, and the CPU time of the thread); the epoch's test evaluation is the Trainer's own
// and is not in the time.
// Run by hand: npx tsx bench/epoch/ours.ts        (the bench runs it with --serve)
import { loadModelSpec } from '../../src/model/load';
import { Trainer } from '../../src/train/trainer';
import { useKernelThreads } from '../../src/train/kernel-threads';
import { Clock, main, type Workload } from './protocol';

export function modelText(w: Workload, dataset: string, seed: number): string {
  const layers: unknown[] = [];
  for (let i = 1; i < w.sizes.length; i++) {
    layers.push({ name: `W${i}`, type: 'Linear', in: w.sizes[i - 1], out: w.sizes[i] });
    if (i < w.sizes.length - 1) layers.push({ type: w.act === 'sigmoid' ? 'Sigmoid' : 'ReLU' });
  }
  return JSON.stringify({
    name: w.id,
    input: { shape: [w.sizes[0]], dataset },
    layers,
    init: { seed, scheme: 'pytorch' },
    train: { batchSize: w.batch, epochs: 1, shuffle: true, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: w.lr, momentum: 0 } },
  });
}

void main(async (data) => {
  // As the training worker does: a kernel helper thread when the machine has two CPUs (NNLENS_THREADS=1: none).
  const threads = await useKernelThreads();
  return {
    info: { name: 'ours', version: 'NN Lens engine (src/train Trainer)', kernelThreads: threads },
    run(w, seed, maxBatches) {
      const spec = loadModelSpec(modelText(w, data.source === 'fashion-mnist' ? 'fashion-mnist' : 'mnist', seed), `${w.id}.nn.json`);
      const trainer = new Trainer(spec, data, { epochs: 1, batchSize: w.batch, seed, shuffle: true, ...(maxBatches ? { maxSteps: maxBatches } : {}) });
      const steps = maxBatches ? Math.min(maxBatches, trainer.stepsPerEpoch) : trainer.stepsPerEpoch;
      let loss = 0;
      let samples = 0;
      const clock = new Clock(threads > 1); // the helper's CPU time counts too
      while (trainer.step < steps) {
        const e = trainer.advance();
        if (e.type !== 'step') throw new Error(`expected a step, got ${e.type}`);
        loss += e.loss;
        samples += e.size;
      }
      const times = clock.stop();
      // epochEnd (a whole epoch) or done (after maxSteps): both carry the Trainer's test evaluation.
      const e = trainer.advance();
      if (e.type === 'step') throw new Error('a step past the end of the epoch');
      return { ...times, batches: trainer.step, samples, trainLoss: loss / trainer.step, testAccuracy: e.test.accuracy, testCount: e.test.count };
    },
  };
});
