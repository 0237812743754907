/**
 * NN Lens in VS Code, once a model file (or a command, a visualizer, a weight file) needs it: wires the model
 * registry (analysis, diagnostics), the language features, the commands, the visualizer panels and training
 * together. Bundled apart (dist/extension-main.js): extension.ts, the light entry point, loads it when needed.
 * Logic lives in the pure layers and the modules beside this file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelRegistry } from './models';
import { registerLanguageFeatures } from './language';
import { Panels } from './panels';
import { TrainingController } from './training';
import { registerCommands, revealLayer, type CommandContext } from './commands';
import { readSettings, type Settings } from './settings';
import { dataSourceFor, testSet } from './data';
import { imagesOf, sampleSet } from './evaluate';
import { inspectExpression } from './inspect';
import { loadWeights, saveWeights, describeMismatch } from './weights-file';
import type { ModelState } from './state';
import { errorMessage, isModelDocument, sibling, throttle, toRange } from './util';
import type { NnLensApi } from './api';
import { RunCheckpoints, type CheckpointReason } from './checkpoint';

/** How often a run in progress is checkpointed (at least). */
const CHECKPOINT_EVERY_MS = 5000;
import { registerWeightsEditor } from './weights/index';

export interface Loaded {
  api: NnLensApi;
  /** VS Code is shutting the extension host down (window reload or close). */
  deactivate(): void;
}

/** `reason`: what needed the extension (for the log). */
export function activateMain(context: vscode.ExtensionContext, reason: string): Loaded {
  const log = vscode.window.createOutputChannel('NN Lens', { log: true });
  const tensors = vscode.window.createOutputChannel('NN Lens: Tensors');
  let current: Settings = readSettings((m) => log.warn(m));
  const settings = () => current;
  const models = new ModelRegistry(settings);
  const downloadDir = () => path.join(context.globalStorageUri.fsPath, 'mnist');
  const dataSource = (state: ModelState) => {
    if (!state.spec) throw new Error('the model file has errors: fix them first');
    return dataSourceFor(state.spec, { folder: current.dataFolder, downloadDir: downloadDir(), embeddedDir: path.join(context.extensionUri.fsPath, 'media', 'mnist') });
  };

  const status = vscode.window.createStatusBarItem('nnLens.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'NN Lens training';
  status.command = 'nnLens.openVisualizer';
  status.tooltip = 'NN Lens: open the visualizer';

  /** Test images with the model's predictions, for the Predictions view (when a panel shows the model). */
  const refreshSamples = async (state: ModelState): Promise<void> => {
    if (!state.spec || !vscode.workspace.isTrusted) return;
    try {
      const ds = await testSet(dataSource(state), state.spec);
      if (state.spec) state.setSamples(sampleSet(state, ds));
    } catch (e) {
      log.warn(`samples: ${errorMessage(e)}`);
    }
  };
  /** At most one refresh a second per model (edits and training snapshots ask often). */
  const samplesLater = new Map<ModelState, ReturnType<typeof throttle<[]>>>();
  const refreshSamplesSoon = (state: ModelState) => {
    if (!panels.all().some((p) => p.state === state)) return;
    let t = samplesLater.get(state);
    if (!t) {
      t = throttle<[]>(() => 1000, () => void refreshSamples(state));
      samplesLater.set(state, t);
    }
    t.call();
  };

  // Runs in progress, kept so that a window reload (or a crash) of the extension host brings the views back.
  const checkpoints = new RunCheckpoints(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs'));
  let lastCheckpoint = 0;
  let checkpointMs = 0;
  const checkpoint = (state: ModelState, reason: CheckpointReason) => {
    try {
      const t0 = performance.now();
      checkpoints.save(state, reason);
      checkpointMs = performance.now() - t0;
      lastCheckpoint = Date.now();
    } catch (e) {
      log.warn(`could not checkpoint the run: ${errorMessage(e)}`);
    }
  };
  /** At most every 5 s, and never more than 2% of the time (a large model takes longer to write). */
  const checkpointSoon = (state: ModelState) => {
    if (training.current?.state !== state || Date.now() - lastCheckpoint < Math.max(CHECKPOINT_EVERY_MS, 50 * checkpointMs)) return;
    checkpoint(state, 'running');
  };

  const training = new TrainingController({
    extensionUri: context.extensionUri,
    log,
    status,
    options: () => ({ seed: current.defaultSeed, shuffle: true, progressEveryMs: 250, snapshotEveryMs: Math.round(1000 / current.viewUpdatesPerSecond), threads: current.kernelThreads }),
    dataSource,
    started: (_uri, state) => {
      checkpoints.remove(state.uri);
      lastCheckpoint = Date.now();
    },
    finished: async (uri, state, result) => {
      checkpoints.remove(state.uri);
      await refreshSamples(state);
      if (result !== 'error' && current.saveWeightsNextToModel && uri.scheme === 'file' && vscode.workspace.isTrusted) {
        try {
          const file = sibling(uri, '.safetensors').fsPath;
          const bytes = saveWeights(file, state);
          log.info(`saved the trained weights to ${file} (${bytes.toLocaleString('en-US')} bytes)`);
        } catch (e) {
          log.error(`saving the trained weights failed: ${errorMessage(e)}`);
          void vscode.window.showErrorMessage(`NN Lens: saving the trained weights failed: ${errorMessage(e)}`);
        }
      }
    },
    changed: (state) => {
      lensRefresh.call();
      if (state) refreshSamplesSoon(state);
      if (state) checkpointSoon(state);
    },
  });
  // Live norms in the CodeLens: at most twice a second (each refresh re-renders the editor's lenses).
  const lensRefresh = throttle<[]>(() => 500, () => language.refreshLenses());
  const language = registerLanguageFeatures(models, (s) => training.isTraining(s));

  const panels = new Panels(models, {
    extensionUri: context.extensionUri,
    log,
    updatesPerSecond: () => current.viewUpdatesPerSecond,
    revealLayer: (uri, layer) => revealLayer(models, uri, layer),
    runCommand: async (uri, command) => {
      const id = { train: 'nnLens.train', pause: 'nnLens.pauseResume', resume: 'nnLens.pauseResume', stop: 'nnLens.stop', evaluate: 'nnLens.evaluate', reset: 'nnLens.resetWeights' }[command];
      if ((command === 'pause' && training.current?.paused) || (command === 'resume' && !training.current?.paused)) return;
      await vscode.commands.executeCommand(id, uri);
    },
    inspect: (state, expression) => inspectExpression(state, expression),
    ready: (state) => void refreshSamples(state),
    activeChanged: () => setModelContext(vscode.window.activeTextEditor),
    images: async (state, t, p) => {
      if (!state.spec) throw new Error('the model file has errors');
      return imagesOf(state, await testSet(dataSource(state), state.spec), t, p);
    },
  });

  const ctx: CommandContext = { context, models, panels, training, log, tensors, settings, dataSource, downloadDir, lastMessage: null };

  // Weights saved next to a model file come back when it is opened again.
  const restoreWeights = (state: ModelState, uri: vscode.Uri) => {
    if (uri.scheme !== 'file' || !current.saveWeightsNextToModel || !vscode.workspace.isTrusted || !state.spec) return;
    const file = sibling(uri, '.safetensors').fsPath;
    if (!fs.existsSync(file)) return;
    try {
      const r = loadWeights(file, state, false);
      const partial = r.unexpected.length || r.missing.length || r.mismatched.length;
      log.info(`loaded ${r.loaded.length} trained tensors from ${file}${partial ? ` (${describeMismatch(r)}; the rest keep their init)` : ''}`);
    } catch (e) {
      log.warn(`did not load ${file}: ${errorMessage(e)}`);
    }
  };

  // Then the run a restart of the extension host interrupted, if it is newer than those weights.
  const restore = (state: ModelState, uri: vscode.Uri) => {
    restoreWeights(state, uri);
    try {
      const r = checkpoints.restore(state, uri.scheme === 'file' ? sibling(uri, '.safetensors').fsPath : undefined);
      if (r) {
        const skipped = r.skipped.length ? ` (no longer in the model file: ${r.skipped.join(', ')})` : '';
        log.info(`restored the interrupted run of ${path.basename(uri.path)} at step ${r.record.step}: ${r.record.training.points.length} progress points, the weights of that step${skipped}`);
      }
    } catch (e) {
      log.warn(`did not restore the interrupted run of ${path.basename(uri.path)}: ${errorMessage(e)}`);
      checkpoints.remove(state.uri);
    }
  };

  const setModelContext = (editor: vscode.TextEditor | undefined) => {
    const active = isModelDocument(editor?.document) || panels.all().some((p) => p.panel.active);
    void vscode.commands.executeCommand('setContext', 'nnLens.modelActive', active);
    // The status bar item shows while a model file is in front, and always once a run has started.
    const idle = '$(graph) NN Lens';
    if (!status.text) status.text = idle;
    if (active || training.current || status.text !== idle) status.show();
    else status.hide();
  };

  context.subscriptions.push(
    log,
    tensors,
    status,
    models,
    language,
    { dispose: () => lensRefresh.dispose() },
    training,
    panels,
    models.onDidCreate(({ state, uri }) => restore(state, uri)),
    ...registerCommands(ctx),
    vscode.window.onDidChangeActiveTextEditor(setModelContext),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (!isModelDocument(e.textEditor.document)) return;
      const state = models.get(e.textEditor.document.uri);
      if (!state || !panels.get(e.textEditor.document.uri)) return;
      const pos = e.selections[0]?.active;
      const layer = pos ? state.analysis.summary.layers.find((l) => toRange(l.range).contains(pos)) : undefined;
      const idx = layer ? layer.index : null;
      if (idx !== state.cursorLayer) state.setCursor(idx);
    }),
    models.onDidAnalyse((state) => {
      refreshSamplesSoon(state);
      // An edit during training: the worker restarts on the edited model; the curves get a marker.
      if (training.isTraining(state) && training.edited(state)) state.markEdit(state.reinitialised);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('nnLens')) return;
      current = readSettings((m) => {
        log.warn(m);
        void vscode.window.showWarningMessage(`NN Lens: ${m}`);
      });
      models.refreshAll();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => models.all().forEach((s) => void refreshSamples(s))),
  );
  for (const s of models.all()) restore(s, vscode.Uri.parse(s.uri));
  setModelContext(vscode.window.activeTextEditor);
  void vscode.commands.executeCommand('setContext', 'nnLens.training', false);
  log.info(`NN Lens ${context.extension.packageJSON.version as string} active for ${reason} (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted: training, downloads and weight files are off'})`);

  const weightEditors = registerWeightsEditor(context, log);

  const api: NnLensApi = {
    loaded: true,
    models,
    panels,
    training,
    weightEditors,
    get lastMessage() {
      return ctx.lastMessage;
    },
    settings,
    statusText: () => status.text,
    downloadDir,
    logFile: path.join(context.logUri.fsPath, 'NN Lens.log'),
  };
  // The extension host is shutting down (a window reload, VS Code closing): the run ends with it; keep its state.
  const deactivate = () => {
    const run = training.current;
    if (run) checkpoint(run.state, 'shutdown');
  };
  return { api, deactivate };
}
