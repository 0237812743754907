/**
 * What the editor shows about a layer: hover markdown (shapes, parameters, init, trained statistics), CodeLens
 * text (`[B, 784] → [B, 64] · 50,240 params`, with live norms), the layer under the cursor, and the quick
 * fixes for a span. Plain strings and offsets: the extension wraps them in VS Code types.
 */
import type { LayerAnalysis, ModelAnalysis } from './analyze';
import type { ModelDiagnostic, QuickFix } from './report';
import { formatCount, formatShape, type Position } from './text';

/** state_dict key → float32 values (e.g. from the worker's TensorPayloads), or a lookup function. */
export type TensorLookup = ReadonlyMap<string, ArrayLike<number>> | ((key: string) => ArrayLike<number> | undefined);

export interface TensorStats {
  mean: number;
  /** Unbiased, as torch.std. */
  std: number;
  /** Frobenius norm, as torch.norm. */
  norm: number;
  numel: number;
}

function lookup(t: TensorLookup | undefined, key: string): ArrayLike<number> | undefined {
  if (!t) return undefined;
  return typeof t === 'function' ? t(key) : t.get(key);
}

/** Mean, std and norm, accumulated in float64. */
export function tensorStats(v: ArrayLike<number>): TensorStats {
  const n = v.length;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    sum += v[i];
    sq += v[i] * v[i];
  }
  const mean = n ? sum / n : NaN;
  let dev = 0;
  for (let i = 0; i < n; i++) dev += (v[i] - mean) * (v[i] - mean);
  return { mean, std: n > 1 ? Math.sqrt(dev / (n - 1)) : NaN, norm: Math.sqrt(sq), numel: n };
}

/** 4 significant digits, as PyTorch users read them. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

/** The layer whose object contains `offset`, or null. */
export function layerAtOffset(a: ModelAnalysis, offset: number): LayerAnalysis | null {
  for (const l of a.layers) if (offset >= l.offset && offset <= l.offset + l.length) return l;
  return null;
}

export function layerAtPosition(a: ModelAnalysis, pos: Position): LayerAnalysis | null {
  return layerAtOffset(a, a.lines.offsetAt(pos));
}

const DESCRIPTIONS: Record<string, string> = {
  Sigmoid: 'σ(x) = 1 / (1 + e^−x), elementwise, into (0, 1). No parameters.',
  ReLU: 'max(0, x), elementwise. No parameters.',
  Tanh: 'tanh(x), elementwise, into (−1, 1). No parameters.',
  Flatten: 'Merges dimensions into one, as `torch.flatten(x, start_dim, end_dim)`. No parameters.',
  Dropout: 'While training, zeroes each value with probability p and scales the rest by 1/(1−p); the identity in eval mode. No parameters.',
};

function pytorchCall(l: LayerAnalysis): string {
  switch (l.type) {
    case 'Linear':
      return `nn.Linear(in_features=${l.inFeatures ?? '?'}, out_features=${l.outFeatures ?? '?'}, bias=${l.hasBias === false ? 'False' : 'True'})`;
    case 'Softmax':
    case 'LogSoftmax':
      return `nn.${l.type}(dim=${l.dim ?? 1})`;
    case 'Dropout':
      return `nn.Dropout(p=${l.p ?? 0.5})`;
    case 'Flatten':
      return 'nn.Flatten()';
    default:
      return `nn.${l.type}()`;
  }
}

function linearLines(a: ModelAnalysis, l: LayerAnalysis, weights: TensorLookup | undefined): string[] {
  const out: string[] = [];
  if (!l.weightShape) return out;
  const [o, i] = l.weightShape;
  out.push('| parameter | shape | count |', '| --- | --- | ---: |');
  out.push(`| \`${l.name}.weight\` | \`torch.Size([${o}, ${i}])\` | ${formatCount(o * i)} |`);
  if (l.hasBias) out.push(`| \`${l.name}.bias\` | \`torch.Size([${o}])\` | ${formatCount(o)} |`);
  out.push(`| total | | ${formatCount(l.params)} |`, '');
  if (i > 0) {
    const b = 1 / Math.sqrt(i);
    out.push(
      a.initScheme === 'scaled-normal'
        ? `Init (scaled-normal): weight = randn / √${i} (std ${num(b)}), bias = 0.`
        : `Init (PyTorch): weight and bias ~ U(−1/√${i}, 1/√${i}) = U(−${num(b)}, ${num(b)}).`,
    );
  }
  const stats: string[] = [];
  for (const key of [`${l.name}.weight`, ...(l.hasBias ? [`${l.name}.bias`] : [])]) {
    const v = lookup(weights, key);
    if (v && v.length) {
      const s = tensorStats(v);
      stats.push(`\`${key}\`: mean ${num(s.mean)}, std ${num(s.std)}`);
    }
  }
  if (stats.length) out.push('', `Current weights: ${stats.join('; ')}.`);
  return out;
}

function softmaxNote(a: ModelAnalysis, l: LayerAnalysis): string | null {
  const last = l.index === a.layers.length - 1;
  if (l.type === 'Softmax' && last && a.loss === 'cross_entropy') {
    return 'cross_entropy is computed on the logits *before* this Softmax, fused with log-softmax as `nn.CrossEntropyLoss` does, so a final Softmax costs nothing in training. Its output, the class probabilities, is what the views show.';
  }
  if (l.type === 'Softmax') return 'Turns scores into probabilities that sum to 1 along `dim`. No parameters.';
  if (l.type === 'LogSoftmax' && last && a.loss === 'nll_loss') return 'log(softmax(x)) along `dim`: with nll_loss, this is what `nn.CrossEntropyLoss` computes in one step. No parameters.';
  if (l.type === 'LogSoftmax') return 'log(softmax(x)) along `dim`: log-probabilities, for nll_loss. No parameters.';
  return null;
}

/** Markdown for hovering layer `index`; `weights` (state_dict key → values) adds the current mean/std. */
export function hoverMarkdown(a: ModelAnalysis, index: number, weights?: TensorLookup): string {
  const l = a.layers[index];
  if (!l) return '';
  const lines = [`**${l.type} ${l.name}** · \`${pytorchCall(l)}\``, '', `input \`${formatShape(l.inShape)}\` → output \`${formatShape(l.outShape)}\``, ''];
  if (l.type === 'Linear') lines.push(...linearLines(a, l, weights));
  else {
    const note = softmaxNote(a, l) ?? DESCRIPTIONS[l.type];
    if (note) lines.push(note);
  }
  for (const d of a.diagnostics) if (d.layer === index && d.severity !== 'info') lines.push('', `${d.severity === 'error' ? '⛔' : '⚠'} ${d.message}`);
  return lines.join('\n').trimEnd();
}

export interface LiveTensors {
  weights?: TensorLookup;
  grads?: TensorLookup;
}

/** `[B, 784] → [B, 64] · 50,240 params`, plus `‖W‖ 3.21 · ‖∇W‖ 0.0012` while training. */
export function codeLensText(a: ModelAnalysis, index: number, live: LiveTensors = {}): string {
  const l = a.layers[index];
  if (!l) return '';
  let text = `${formatShape(l.inShape)} → ${formatShape(l.outShape)}`;
  if (l.type === 'Linear') text += ` · ${formatCount(l.params)} params`;
  const w = lookup(live.weights, `${l.name}.weight`);
  if (w && w.length) text += ` · ‖W‖ ${num(tensorStats(w).norm)}`;
  const g = lookup(live.grads, `${l.name}.weight`);
  if (g && g.length) text += ` · ‖∇W‖ ${num(tensorStats(g).norm)}`;
  return text;
}

/** The quick fixes of every diagnostic overlapping [start, end] (offsets), with the diagnostic they fix. */
export function fixesAt(a: ModelAnalysis, start: number, end = start): { diagnostic: ModelDiagnostic; fix: QuickFix }[] {
  const out: { diagnostic: ModelDiagnostic; fix: QuickFix }[] = [];
  for (const d of a.diagnostics) {
    if (d.offset > end || d.offset + d.length < start) continue;
    for (const fix of d.fixes) out.push({ diagnostic: d, fix });
  }
  return out;
}
