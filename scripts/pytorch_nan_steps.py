"""At which step does PyTorch see a non-finite loss when a 784-64-10 network with an MSE loss trains at lr 100?

The numbers the NaN-stop tests (test/unit/reliability/nan.test.ts) expect: run with Debian's python3-torch,
    /usr/bin/python3 scripts/pytorch_nan_steps.py
It reads the embedded MNIST subset (media/mnist) in file order, batch 10, plain SGD, init seed 0, as
`nnlens train` does with "shuffle": false.
"""
import gzip
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(__file__), '..')


def idx(name):
    b = gzip.open(os.path.join(ROOT, 'media/mnist', name)).read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


X = torch.tensor(idx('train-images-idx3-ubyte.gz').reshape(-1, 784).astype(np.float32) / 255.0)
Y = torch.tensor(idx('train-labels-idx1-ubyte.gz').astype(np.int64))
for name, act in [('ReLU', nn.ReLU), ('Sigmoid', nn.Sigmoid)]:
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(784, 64), act(), nn.Linear(64, 10))
    opt = torch.optim.SGD(m.parameters(), lr=100)
    for s in range(len(X) // 10):
        x, y = X[s * 10:(s + 1) * 10], nn.functional.one_hot(Y[s * 10:(s + 1) * 10], 10).float()
        loss = nn.functional.mse_loss(m(x), y)
        if not torch.isfinite(loss):
            print(f'{name}: loss {loss.item()} at epoch 1, step {s + 1}')
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
