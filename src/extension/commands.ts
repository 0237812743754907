/**
 * The NN Lens commands. Each finds its model file (the argument, the active editor, or the focused visualizer),
 * does its job, and reports failures as a clear message (never an unhandled rejection). Only New Model and
 * quick fixes write model files, and only through undoable edits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { downloadMnist } from '../data/download';
import { findIdxFile, IDX_FILES } from '../data/dataset';
import type { ModelRegistry } from './models';
import type { Panels } from './panels';
import type { TrainingController } from './training';
import type { ModelState } from './state';
import { describeMismatch, loadWeights, saveWeights } from './weights-file';
import { inspectExpression } from './inspect';
import { evaluateState } from './evaluate';
import { testSet } from './data';
import { NEW_MODEL_TEMPLATE } from '../model/templates';
import { exportToPyTorch, moduleNameFor, writePyTorchExport, type SampleImage } from '../bridge';
import { errorMessage, isModelDocument, isModelUri, sibling, toRange } from './util';
import type { Settings } from './settings';

export interface CommandContext {
  context: vscode.ExtensionContext;
  models: ModelRegistry;
  panels: Panels;
  training: TrainingController;
  log: vscode.LogOutputChannel;
  tensors: vscode.OutputChannel;
  settings(): Settings;
  dataSource(state: ModelState): import('../protocol').DataSource;
  downloadDir(): string;
  /** The last message a command showed (tests read it). */
  lastMessage: { kind: 'info' | 'warning' | 'error'; text: string } | null;
}

class UserError extends Error {}

function needTrust(what: string): void {
  if (!vscode.workspace.isTrusted) throw new UserError(`${what} needs a trusted workspace: NN Lens only shows shapes and untrained views in restricted mode.`);
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const say = (kind: 'info' | 'warning' | 'error', text: string, ...actions: string[]): Thenable<string | undefined> => {
    c.lastMessage = { kind, text };
    const msg = `NN Lens: ${text}`;
    if (kind === 'error') {
      c.log.error(text);
      return vscode.window.showErrorMessage(msg, ...actions);
    }
    c.log.info(text);
    return kind === 'warning' ? vscode.window.showWarningMessage(msg, ...actions) : vscode.window.showInformationMessage(msg, ...actions);
  };

  /** The model file a command acts on. */
  const target = async (arg: unknown): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; state: ModelState }> => {
    let uri: vscode.Uri | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (isModelDocument(vscode.window.activeTextEditor?.document)) uri = vscode.window.activeTextEditor.document.uri;
    else uri = c.panels.all().find((p) => p.panel.active)?.uri ?? c.panels.all().find((p) => p.panel.visible)?.uri;
    if (!isModelUri(uri)) throw new UserError('open a *.nn.json model file first (or run "NN Lens: New Model")');
    const doc = await vscode.workspace.openTextDocument(uri);
    return { uri, doc, state: c.models.ensure(doc) };
  };

  const run =
    <A extends unknown[]>(id: string, fn: (...a: A) => Promise<unknown>) =>
    async (...a: A): Promise<unknown> => {
      try {
        return await fn(...a);
      } catch (e) {
        void say('error', errorMessage(e));
        if (!(e instanceof UserError)) c.log.error(`${id}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return undefined;
      }
    };

  const reg = <A extends unknown[]>(id: string, fn: (...a: A) => Promise<unknown>) => vscode.commands.registerCommand(id, run(id, fn));

  const newModel = async (where?: vscode.Uri | 'untitled'): Promise<vscode.Uri | undefined> => {
    let dest = where;
    if (!dest) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'New untitled model file', target: 'untitled' as const },
          { label: 'Choose where to save it...', target: 'choose' as const },
        ],
        { title: 'NN Lens: New Model (784 → 64 → 10, the notebook\'s network)' },
      );
      if (!pick) return undefined;
      if (pick.target === 'choose') {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri;
        dest = await vscode.window.showSaveDialog({ defaultUri: base && vscode.Uri.joinPath(base, 'model.nn.json'), filters: { 'NN Lens model': ['nn.json'] }, title: 'Save the new model as' });
        if (!dest) return undefined;
      } else dest = 'untitled';
    }
    let uri: vscode.Uri;
    if (dest === 'untitled') {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
      let n = 1;
      let file = path.join(folder, 'model.nn.json');
      while (fs.existsSync(file) || vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file)) file = path.join(folder, `model-${++n}.nn.json`);
      uri = vscode.Uri.file(file).with({ scheme: 'untitled' });
    } else {
      if (!dest.path.endsWith('.nn.json')) dest = dest.with({ path: dest.path.replace(/(\.json)?$/, '.nn.json') });
      uri = dest;
      if (fs.existsSync(uri.fsPath)) throw new UserError(`${uri.fsPath} already exists: New Model never overwrites a file`);
      await vscode.workspace.fs.writeFile(uri, new Uint8Array());
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), NEW_MODEL_TEMPLATE);
    await vscode.workspace.applyEdit(edit);
    if (uri.scheme === 'file') await doc.save();
    await vscode.window.showTextDocument(doc);
    return uri;
  };

  const saveNextToModel = async (uri: vscode.Uri, state: ModelState, file?: string): Promise<string> => {
    needTrust('Saving weights');
    const dest = file ?? sibling(uri, '.safetensors').fsPath;
    const bytes = saveWeights(dest, state);
    c.log.info(`saved ${state.stateDict().size} tensors (${bytes.toLocaleString('en-US')} bytes) to ${dest}`);
    return dest;
  };

  return [
    reg('nnLens.newModel', newModel),
    reg('nnLens.openVisualizer', async (arg?: unknown) => {
      const { uri } = await target(arg);
      const p = await c.panels.show(uri);
      return p.uri;
    }),
    reg('nnLens.revealInVisualizer', async (arg?: unknown, layer?: unknown) => {
      const { uri, state } = await target(arg);
      await c.panels.show(uri);
      if (typeof layer === 'number') state.setCursor(layer);
    }),
    reg('nnLens.train', async (arg?: unknown) => {
      needTrust('Training');
      const { uri, state } = await target(arg);
      if (c.training.current) throw new UserError(`already training ${path.basename(c.training.current.uri.fsPath)}: stop it first`);
      return c.training.train(uri, state);
    }),
    reg('nnLens.pauseResume', async () => {
      const r = c.training.pauseResume();
      if (r === 'idle') void say('info', 'nothing is training');
      return r;
    }),
    reg('nnLens.stop', async () => {
      if (!c.training.stop()) void say('info', 'nothing is training');
    }),
    reg('nnLens.evaluate', async (arg?: unknown) => {
      needTrust('Evaluating on the test set');
      const { uri, state } = await target(arg);
      if (c.training.isTraining(state)) {
        c.training.evaluateActive();
        return undefined;
      }
      if (!state.spec) throw new UserError(`${path.basename(uri.fsPath)} has errors: fix them before evaluating`);
      const spec = state.spec;
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Evaluating ${path.basename(uri.fsPath)} on the test set`, cancellable: true }, async (_p, token) => {
        const ds = await testSet(c.dataSource(state), spec);
        return evaluateState(state, ds, () => token.isCancellationRequested);
      });
      state.setEvaluation(result);
      void say('info', `${path.basename(uri.fsPath)}: test accuracy ${(result.accuracy * 100).toFixed(2)}% (loss ${result.loss.toFixed(4)}) on ${result.count} images`);
      return result;
    }),
    reg('nnLens.resetWeights', async (arg?: unknown) => {
      const { uri, state } = await target(arg);
      if (c.training.isTraining(state)) throw new UserError('stop training before resetting the weights');
      if (!state.spec) throw new UserError(`${path.basename(uri.fsPath)} has errors: fix them first`);
      const before = state.trained ? state.stateDict() : null;
      const copy = before && new Map([...before].map(([k, t]) => [k, t.clone()] as const));
      state.reset();
      if (copy) {
        void say('info', `reset the weights of ${path.basename(uri.fsPath)} to its init (seed ${state.spec.init.seed})`, 'Undo').then((a) => {
          if (a === 'Undo') state.setWeights(copy);
        });
      }
      return true;
    }),
    reg('nnLens.downloadMnist', async () => {
      needTrust('Downloading MNIST');
      const s = c.settings();
      const dir = c.downloadDir();
      const out = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Downloading full MNIST', cancellable: true }, async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return downloadMnist({
          cacheDir: dir,
          mirrors: s.downloadMirrors,
          signal: ac.signal,
          onProgress: (p) => progress.report({ message: `${p.file} (${p.done + 1}/${p.files})${p.total ? ` ${Math.round((100 * p.received) / p.total)}%` : ''}` }),
          onFallback: (file, mirror, reason) => c.log.warn(`download ${file} from ${mirror} failed (${reason}); trying the next mirror`),
        });
      });
      void say('info', `full MNIST (60,000 train / 10,000 test) is in ${out}; Train uses it unless nnLens.dataFolder is set`);
      return out;
    }),
    reg('nnLens.useDatasetFolder', async (arg?: unknown) => {
      needTrust('Using a dataset folder');
      let dir = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
      if (!dir) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Folder with MNIST-format IDX files (train/t10k images and labels)' });
        if (!picked?.[0]) return undefined;
        dir = picked[0].fsPath;
      }
      for (const b of Object.values(IDX_FILES)) findIdxFile(dir, b); // throws naming the missing file
      const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('nnLens').update('dataFolder', dir, target);
      void say('info', `training data: ${dir}`);
      return dir;
    }),
    reg('nnLens.saveWeights', async (arg?: unknown, file?: unknown) => {
      const { uri, state } = await target(arg);
      if (!state.spec) throw new UserError(`${path.basename(uri.fsPath)} has errors: fix them first`);
      const dest = await saveNextToModel(uri, state, typeof file === 'string' ? file : undefined);
      void say('info', `saved the weights to ${path.basename(dest)}`);
      return dest;
    }),
    reg('nnLens.loadWeights', async (arg?: unknown, file?: unknown) => {
      needTrust('Loading weights');
      const { uri, state } = await target(arg);
      let src = typeof file === 'string' ? file : undefined;
      if (!src) {
        const picked = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.joinPath(uri, '..'), filters: { 'State dict': ['safetensors', 'npz', 'npy'] }, title: 'Load weights (PyTorch state_dict keys)' });
        if (!picked?.[0]) return undefined;
        src = picked[0].fsPath;
      }
      if (c.training.isTraining(state)) throw new UserError('stop training before loading weights');
      const r = loadWeights(src, state, false);
      const partial = r.unexpected.length || r.missing.length || r.mismatched.length;
      void say(partial ? 'warning' : 'info', `loaded ${r.loaded.length} tensors from ${path.basename(src)}${partial ? ` (${describeMismatch(r)})` : ''}`);
      return r;
    }),
    reg('nnLens.exportPyTorch', async (arg?: unknown) => {
      const { uri, state } = await target(arg);
      if (!state.spec) throw new UserError(`${path.basename(uri.fsPath)} has errors: fix them first`);
      needTrust('Exporting to PyTorch');
      let sample: SampleImage | undefined;
      try {
        const ds = await testSet(c.dataSource(state), state.spec);
        const size = ds.rows * ds.cols;
        if (size === state.spec.input.shape.reduce((a, b) => a * b, 1)) sample = { pixels: Uint8Array.from(ds.images.subarray(0, size)), label: ds.labels[0], description: 'test image 0' };
      } catch (e) {
        c.log.warn(`export: no test image for the example (${errorMessage(e)}); the module uses a random input instead`);
      }
      const exp = exportToPyTorch(state.spec, state.stateDict(), { moduleName: moduleNameFor(uri.fsPath), source: path.basename(uri.fsPath), sample });
      const written = writePyTorchExport(path.dirname(uri.fsPath), exp);
      const files = [written.python, written.weights];
      void say('info', `wrote ${files.map((f) => path.basename(f)).join(' and ')}: python3 ${path.basename(files[0])} prints the model and one prediction`);
      return files;
    }),
    reg('nnLens.inspectTensor', async (arg?: unknown, expression?: unknown) => {
      const { state } = await target(arg);
      let expr = typeof expression === 'string' ? expression : undefined;
      if (expr === undefined) {
        const first = state.analysis.summary.layers.find((l) => l.params > 0)?.name ?? 'W1';
        expr = await vscode.window.showInputBox({ title: 'NN Lens: Inspect Tensor', prompt: 'A PyTorch expression over the layers, e.g. W1.weight[:2, :3], W2.bias, W1.weight.shape', value: `${first}.weight[:2, :3]`, ignoreFocusOut: true });
        if (expr === undefined) return undefined;
      }
      c.tensors.appendLine(`>>> ${expr}`);
      try {
        const r = inspectExpression(state, expr);
        c.tensors.appendLine(r.text);
        c.tensors.show(true);
        return r.text;
      } catch (e) {
        c.tensors.appendLine(errorMessage(e));
        c.tensors.show(true);
        throw new UserError(`${expr}: ${errorMessage(e)}`);
      }
    }),
  ];
}

/** Opens the model file and selects a layer's text (the visualizer's "reveal"). */
export async function revealLayer(models: ModelRegistry, uri: vscode.Uri, layer: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const state = models.ensure(doc);
  const l = state.analysis.summary.layers[layer];
  if (!l) return;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  const r = toRange(l.range);
  editor.selection = new vscode.Selection(r.start, r.end);
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
