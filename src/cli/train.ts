/** `nnlens train MODEL.nn.json`: trains in this process with the same Trainer the extension's worker runs. */
import * as fs from 'node:fs';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args';
import type { CliIO, Command, ExitCode } from './io';
import { fixed, int, modelWithWeights, outputFeatures, pct, printable, readModelSpec, resolvePath } from './common';
import { progressLine } from './progress';
import { Trainer, TrainingError } from '../train/trainer';
import { defaultKernelThreads, useKernelThreads } from '../train/kernel-threads';
import { loadDataSource } from '../train/data-source';
import { findEmbeddedDir, type DatasetPair } from '../data/dataset';
import { writeSafetensorsFile } from '../data/safetensors';
import type { ModelSpec } from '../model/spec';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FLAGS: FlagSpec[] = [
  { name: 'data', type: 'string', value: 'DIR', help: 'folder with the four MNIST-format IDX files (gz or not); default: the embedded MNIST subset' },
  { name: 'epochs', type: 'int', value: 'N', help: 'epochs (default: the model file\'s train.epochs)' },
  { name: 'batch-size', type: 'int', value: 'N', help: 'batch size (default: train.batchSize)' },
  { name: 'lr', type: 'number', value: 'X', help: 'learning rate (default: train.optimizer.lr)' },
  { name: 'seed', type: 'int', value: 'N', help: 'shuffling seed (default 0; the weights use init.seed)' },
  { name: 'weights', type: 'string', value: 'IN.safetensors', help: 'start from these weights instead of the init' },
  { name: 'steps', type: 'int', value: 'N', help: 'stop after N optimiser steps' },
  { name: 'no-shuffle', type: 'bool', help: 'visit the training samples in file order' },
  { name: 'out', type: 'string', value: 'OUT.safetensors', help: 'write the final weights (state_dict keys)' },
  { name: 'threads', type: 'int', value: 'N', help: 'threads for the kernels: 1, or 2 (default: 2 with two CPUs or more; env NNLENS_THREADS)' },
  { name: 'json', type: 'bool', help: 'one JSON object per line: progress events, then a summary' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const HELP = `Usage: nnlens train MODEL.nn.json [options]

Trains the model on MNIST-format data and reports the test accuracy.

Options:
${flagHelp(FLAGS)}

With --json, stdout gets one object per line:
  {"type":"start",...} {"type":"progress",...} {"type":"epoch",...} ... {"type":"summary",...}
A run stopped by a NaN or infinite loss ends with {"type":"error","message":...,"epoch":E,"step":S} instead.
Exit codes: 0 trained, 1 failure (bad file, NaN loss, ...), 2 bad usage.
`;

function pickData(spec: ModelSpec, dataFlag: string | undefined, io: CliIO): DatasetPair {
  if (dataFlag) return loadDataSource({ kind: 'folder', dir: resolvePath(io.cwd, dataFlag) }, spec);
  if (spec.input.dataset === 'fashion-mnist') {
    if (fs.existsSync(FASHION_MNIST_DIR)) return loadDataSource({ kind: 'folder', dir: FASHION_MNIST_DIR }, spec);
    throw new Error(`the model's input.dataset is "fashion-mnist": pass --data DIR (a folder with its IDX files)`);
  }
  return loadDataSource({ kind: 'embedded', mediaDir: findEmbeddedDir(io.home) }, spec);
}

async function run(argv: string[], io: CliIO): Promise<ExitCode> {
  const { positionals, flags } = parseArgs(argv, FLAGS, 'nnlens train');
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`nnlens train: expected one MODEL.nn.json, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  for (const k of ['epochs', 'batch-size', 'steps'] as const) {
    if (flags[k] === 0) throw new UsageError(`nnlens train: --${k} must be at least 1`);
  }
  if (typeof flags.lr === 'number' && flags.lr < 0) throw new UsageError(`nnlens train: --lr must not be negative`);
  const threadsFlag = flags.threads as number | undefined;
  if (threadsFlag !== undefined && threadsFlag !== 1 && threadsFlag !== 2) throw new UsageError(`nnlens train: --threads must be 1 or 2, got ${threadsFlag}`);
  const json = flags.json === true;
  const modelFile = resolvePath(io.cwd, positionals[0]);
  const spec = readModelSpec(modelFile);
  const weightsIn = flags.weights === undefined ? undefined : resolvePath(io.cwd, String(flags.weights));
  const outFile = flags.out === undefined ? undefined : resolvePath(io.cwd, String(flags.out));
  const model = modelWithWeights(spec, weightsIn);
  const data = pickData(spec, flags.data as string | undefined, io);
  const classes = data.train.classNames.length;
  const outF = outputFeatures(spec);
  if (outF !== null && outF !== classes) throw new Error(`${modelFile}: the model outputs ${outF} values but ${data.source} has ${classes} classes`);
  const epochs = (flags.epochs as number | undefined) ?? spec.train.epochs;
  const batchSize = (flags['batch-size'] as number | undefined) ?? spec.train.batchSize;
  const trainer = new Trainer(
    spec,
    data,
    { epochs, batchSize, lr: flags.lr as number | undefined, seed: (flags.seed as number | undefined) ?? 0, shuffle: flags['no-shuffle'] ? false : spec.train.shuffle, maxSteps: flags.steps as number | undefined },
    model,
  );
  const emit = (o: object): void => io.out(JSON.stringify(o) + '\n');
  const threads = await useKernelThreads(threadsFlag ?? defaultKernelThreads());
  try {
    return train();
  } finally {
    await useKernelThreads(1); // the helper ends with the run (the CLI may run in a longer-lived process)
  }

  function train(): ExitCode {
    const say = (s: string): void => (json ? undefined : io.err(s + '\n'));
    if (json) emit({ type: 'start', model: modelFile, data: data.source, trainSize: data.train.count, testSize: data.test.count, classes: data.train.classNames, epochs, batchSize, stepsPerEpoch: trainer.stepsPerEpoch, totalSteps: trainer.totalSteps, threads });
    else say(`training ${printable(spec.name)} on ${data.source}: ${int(data.train.count)} train / ${int(data.test.count)} test images, ${epochs} epoch${epochs === 1 ? '' : 's'} of ${trainer.stepsPerEpoch} steps (batch ${batchSize})${flags.steps !== undefined ? `, stopping after ${trainer.totalSteps} steps` : ''}, ${threads} thread${threads === 1 ? '' : 's'}`);

    const t0 = performance.now();
    let lastDraw = 0;
    let win = { loss: 0, batches: 0, correct: 0, seen: 0, start: t0 };
    let samples = 0;
    let lastEpochLoss = NaN;
    // Test evaluations happen inside advance(): the time from the previous event to an epoch end or the end.
    let evalMs = 0;
    let lastEvent = t0;
    const bar = io.isTTY && !json;
    const clear = (): void => {
      if (bar) io.err('\r\x1b[K');
    };
    const report = (now: number): void => {
      const sps = win.seen / Math.max(1e-9, (now - win.start) / 1000);
      const point = { epoch: trainer.epoch, step: trainer.step, stepsPerEpoch: trainer.stepsPerEpoch, loss: win.loss / win.batches, accuracy: win.correct / win.seen, samplesPerSec: sps, time: Math.round(now - t0) };
      if (json) emit({ type: 'progress', ...point });
      else if (bar) {
        const stepInEpoch = trainer.step - (trainer.epoch - 1) * trainer.stepsPerEpoch;
        io.err('\r' + progressLine({ epoch: trainer.epoch, epochs, stepInEpoch, stepsPerEpoch: trainer.stepsPerEpoch, loss: point.loss, accuracy: point.accuracy, samplesPerSec: sps }, io.columns) + '\x1b[K');
      }
      win = { loss: 0, batches: 0, correct: 0, seen: 0, start: now };
      lastDraw = now;
    };
    const every = json ? 500 : 100;
    let done;
    try {
      done = trainer.runAll((e) => {
        const at = performance.now();
        if (e.type !== 'step') evalMs += at - lastEvent;
        lastEvent = at;
        if (e.type === 'step') {
          samples += e.size;
          win.loss += e.loss;
          win.batches++;
          win.correct += e.correct;
          win.seen += e.size;
          const now = performance.now();
          if (now - lastDraw >= every && (json || bar)) report(now);
        } else if (e.type === 'epochEnd') {
          if (win.batches && json) report(performance.now());
          lastEpochLoss = e.trainLoss;
          clear();
          if (json) emit({ type: 'epoch', epoch: e.epoch, step: e.step, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, testLoss: e.test.loss, testAccuracy: e.test.accuracy });
          else say(`epoch ${e.epoch}/${epochs}: train loss ${fixed(e.trainLoss)}, train accuracy ${pct(e.trainAccuracy)}, test loss ${fixed(e.test.loss)}, test accuracy ${pct(e.test.accuracy)}`);
        }
      });
    } catch (e) {
      clear();
      // With --json a stopped run ends with an error line saying where, before the message on stderr.
      if (json && e instanceof TrainingError) emit({ type: 'error', message: e.message, epoch: e.epoch, step: e.step });
      throw e;
    }
    clear();
    const seconds = (performance.now() - t0) / 1000;
    const trainLoss = Number.isNaN(lastEpochLoss) ? (win.batches ? win.loss / win.batches : NaN) : lastEpochLoss;
    if (outFile) writeSafetensorsFile(outFile, trainer.model.stateDict());
    const test = done.test;
    const summary = {
      type: 'summary',
      epochs: trainer.epoch,
      steps: done.steps,
      samples,
      seconds: Number(seconds.toFixed(3)),
      /** Seconds spent evaluating on the test set (excluded from samplesPerSec). */
      evalSeconds: Number((evalMs / 1000).toFixed(3)),
      /** Training samples per second of training time (forward, backward, optimiser step, batching). */
      samplesPerSec: Math.round(samples / Math.max(1e-9, seconds - evalMs / 1000)),
      trainLoss,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      testCorrect: Math.round(test.accuracy * test.count),
      testCount: test.count,
      perClass: Object.fromEntries(data.test.classNames.map((n, i) => [n, test.perClass[i]])),
      out: outFile ?? null,
    };
    if (json) emit(summary);
    else {
      io.out(
        `trained ${done.steps} steps (${summary.epochs} epoch${summary.epochs === 1 ? '' : 's'}) in ${seconds.toFixed(1)} s, ${int(summary.samplesPerSec)} samples/s (test evaluation ${(evalMs / 1000).toFixed(1)} s)\n` +
          `train loss ${fixed(trainLoss)}\n` +
          `test accuracy ${pct(test.accuracy)} (${summary.testCorrect}/${test.count}), test loss ${fixed(test.loss)}\n` +
          (outFile ? `wrote ${outFile}\n` : ''),
      );
    }
    return 0;
  }
}

export const trainCommand: Command = { name: 'train', summary: 'train a model on MNIST-format data', help: HELP, run };
