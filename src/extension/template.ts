/** The New Model template: the notebook's 784-64-10 network (sigmoid hidden layer, SGD lr 0.1, batch 10). */
export const NEW_MODEL_TEMPLATE = `{
  // A model file for NN Lens: the layers of an nn.Sequential, in order, with PyTorch's names.
  "name": "mnist-mlp",
  "input": { "shape": [784], "dataset": "mnist" },
  "layers": [
    { "name": "W1", "type": "Linear", "in": 784, "out": 64 },
    { "type": "Sigmoid" },
    { "name": "W2", "type": "Linear", "in": 64, "out": 10 },
    { "type": "Softmax", "dim": 1 }
  ],
  // torch.manual_seed(0) before building: the same initial weights as PyTorch.
  "init": { "seed": 0, "scheme": "pytorch" },
  "train": {
    "batchSize": 10,
    "epochs": 1,
    "shuffle": true,
    "loss": "cross_entropy", // computed on the logits before the final Softmax, as nn.CrossEntropyLoss does
    "optimizer": { "type": "sgd", "lr": 0.1, "momentum": 0 }
  }
}
`;
