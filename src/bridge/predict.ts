/**
 * What NN Lens's predictions show for a batch: class probabilities. A final Softmax's output as it is, a final
 * LogSoftmax's exponentiated, logits put through softmax over the last dimension (the visualizer's rule, which
 * the exported module reproduces).
 */
import * as torch from '../engine';
import type { ModelSpec } from '../model/spec';

/** Probabilities of `model` (built from `spec`) for inputs `x` in eval mode, without autograd. */
export function predictProbabilities(spec: ModelSpec, model: torch.nn.Module, x: torch.Tensor): torch.Tensor {
  const wasTraining = model.training;
  model.eval();
  try {
    return torch.noGrad(() => {
      const out = model.call(x);
      const last = spec.layers[spec.layers.length - 1]?.type;
      return last === 'Softmax' ? out : last === 'LogSoftmax' ? out.exp() : out.softmax(-1);
    });
  } finally {
    model.train(wasTraining);
  }
}
