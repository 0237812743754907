/** "Did you mean" for layer types, enum values and field names: PyTorch spellings first, then near misses. */

/** What PyTorch users type, mapped to this format's spelling. */
const ALIASES: Record<string, string> = {
  // layer types
  dense: 'Linear',
  fc: 'Linear',
  // losses
  crossentropyloss: 'cross_entropy',
  crossentropy: 'cross_entropy',
  ce: 'cross_entropy',
  nllloss: 'nll_loss',
  nll: 'nll_loss',
  mseloss: 'mse_loss',
  mse: 'mse_loss',
  // datasets
  fashionmnist: 'fashion-mnist',
  // fields
  infeatures: 'in',
  outfeatures: 'out',
  startdim: 'startDim',
  enddim: 'endDim',
  batchsize: 'batchSize',
  weightdecay: 'weightDecay',
  learningrate: 'lr',
  optim: 'optimizer',
  dropout: 'p',
  size: 'shape',
};

function squash(s: string): string {
  return s.toLowerCase().replace(/[_\-\s.]/g, '');
}

/** Levenshtein distance, giving up (returning max + 1) once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate the user most likely meant by `value`, or undefined. */
export function suggest(value: string, candidates: readonly string[]): string | undefined {
  if (value.length > 64) return undefined;
  const q = squash(value);
  for (const c of candidates) if (squash(c) === q) return c;
  const alias = ALIASES[q];
  if (alias && candidates.includes(alias)) return alias;
  let best: string | undefined;
  let bestD = q.length <= 3 ? 1 : 2;
  for (const c of candidates) {
    const d = distance(q, squash(c), bestD);
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
