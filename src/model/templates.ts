/**
 * The New Model template: the notebook's network (784 → Linear W1 64 → Sigmoid → Linear W2 10 → Softmax, SGD
 * lr 0.1, batch 10, seed 0), commented to teach the format. examples/mnist-mlp.nn.json holds the same text.
 */
export const NEW_MODEL_TEMPLATE = `// NN Lens model file: JSON with comments. Hover a field for its documentation, a layer for its shapes.
{
  "name": "mnist-mlp",

  // One sample without the batch dimension: a 28×28 MNIST digit as 784 values in [0, 1].
  // Write [28, 28] instead and put a { "type": "Flatten" } first.
  "input": { "shape": [784], "dataset": "mnist" },

  // The layers of an nn.Sequential, in order. "name" becomes the state_dict prefix (W1.weight, W1.bias);
  // a layer without one is named by its index, as in PyTorch (so the Sigmoid below is "1").
  "layers": [
    { "name": "W1", "type": "Linear", "in": 784, "out": 64 },  // weight [64, 784], bias [64]
    { "type": "Sigmoid" },
    { "name": "W2", "type": "Linear", "out": 10 },            // "in" may be left out: it is inferred (64)
    { "type": "Softmax", "dim": 1 }                            // probabilities for the views; see "loss"
  ],

  // torch.manual_seed(seed), then each Linear initialised in order: the same weights PyTorch 1.13 draws.
  "init": { "seed": 0, "scheme": "pytorch" },

  "train": {
    "batchSize": 10,
    "epochs": 1,
    "shuffle": true,
    // Computed on the logits before the final Softmax, fused with log-softmax as nn.CrossEntropyLoss does.
    "loss": "cross_entropy",
    "optimizer": { "type": "sgd", "lr": 0.1, "momentum": 0 }
  }
}
`;
