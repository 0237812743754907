/** Writes a model as `*.nn.json` text in the layout of the examples: one layer a line, fields in a fixed order. */
import type { LayerSpec, ModelSpec } from '../model/spec';

const LAYER_KEYS = ['name', 'type', 'in', 'out', 'bias', 'dim', 'startDim', 'endDim', 'p'] as const;

function inline(o: Record<string, unknown>, keys: readonly string[]): string {
  const parts = keys.filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(o[k])}`);
  return `{ ${parts.join(', ')} }`;
}

/** The model file text; `comment` lines (if any) go first as `//` comments. */
export function modelJsonText(spec: ModelSpec, comment: string[] = []): string {
  const layer = (l: LayerSpec): string => inline(l as unknown as Record<string, unknown>, LAYER_KEYS);
  const o = spec.train.optimizer;
  const optimizer = inline(o as unknown as Record<string, unknown>, ['type', 'lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'betas', 'eps']);
  const head = comment.map((c) => `// ${c.replace(/[\r\n\u2028\u2029]+/g, ' ')}`.trimEnd()).join('\n');
  return `${head ? `${head}\n` : ''}{
  "name": ${JSON.stringify(spec.name)},
  "input": { "shape": ${JSON.stringify(spec.input.shape).replace(/,/g, ', ')}, "dataset": ${JSON.stringify(spec.input.dataset)} },
  "layers": [
${spec.layers.map((l) => `    ${layer(l)}`).join(',\n')}
  ],
  "init": { "seed": ${spec.init.seed}, "scheme": ${JSON.stringify(spec.init.scheme)} },
  "train": {
    "batchSize": ${spec.train.batchSize},
    "epochs": ${spec.train.epochs},
    "shuffle": ${spec.train.shuffle},
    "loss": ${JSON.stringify(spec.train.loss)},
    "optimizer": ${optimizer.replace(/\[(\d[^\]]*)\]/g, (m) => m.replace(/,/g, ', '))}
  }
}
`;
}
