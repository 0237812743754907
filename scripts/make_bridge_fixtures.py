#!/usr/bin/env python3
"""Fixtures for the PyTorch bridge tests (export, import, state dicts), made with PyTorch 1.13 and NumPy.

    /usr/bin/python3 scripts/make_bridge_fixtures.py

The test suite only reads what this writes to test/fixtures/bridge/; it never needs Python.

To PyTorch. For each model in test/fixtures/bridge/models/:
  1. our CLI trains it for a few steps (`nnlens train ... --steps N --out`): weights our engine computed;
  2. our CLI exports it (`nnlens export MODEL --weights W --out export/NAME.py`): export/NAME.py + NAME.safetensors;
  3. PyTorch imports export/NAME.py, calls load_model() and runs it on x.npy: export/NAME-y.npy.
  The tests check that the exporter still writes exactly export/NAME.py, and that our engine's predictions on
  x.npy with NAME.safetensors equal NAME-y.npy to 1e-5.
  x.npy: the first 6 test images of the embedded MNIST subset (divided by 255) and 2 rows of torch.rand.

From PyTorch:
  import/net.py            a notebook-style nn.Module; PyTorch builds it (seed 0) and trains it for 20 SGD steps
  import/net.safetensors   its state_dict, written by the minimal writer below
  import/net.npz           the same state dict as np.savez, import/net-compressed.npz as np.savez_compressed,
  import/net-dict.npy      and as np.save of a dict of arrays
  import/net-y.npy         PyTorch's output of the trained net on x.npy (the tests import net.py, load the weights
                           into our engine and compare)
  import/torch-dict.npy    np.save of a dict of torch tensors (pickles torch classes: must be refused)
  import/plain.npy         one array (not a state dict: must be refused with advice)
"""
import gzip
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # importing the exported modules must leave no __pycache__ in the fixtures
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'bridge')
TSX = os.path.join(ROOT, 'node_modules', '.bin', 'tsx')
STEPS = {'mlp-softmax': 30, 'relu-logits': 30, 'tanh-logsoftmax': 30}


def save_safetensors(tensors, path):
    """The format: u64 little-endian header length, JSON header, raw little-endian bytes."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def cli(*args):
    subprocess.run([TSX, 'src/cli/main.ts', *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def import_module(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def inputs():
    images = read_idx(os.path.join(ROOT, 'media', 'mnist', 't10k-images-idx3-ubyte.gz'))[:6].reshape(6, 784)
    x = torch.from_numpy(images.astype(np.float32)) / 255
    g = torch.Generator().manual_seed(3)
    return torch.cat([x, torch.rand(2, 784, generator=g)])


def to_pytorch(x):
    models = os.path.join(OUT, 'models')
    export = os.path.join(OUT, 'export')
    shutil.rmtree(export, ignore_errors=True)
    os.makedirs(export)
    trained = os.path.join(OUT, 'trained')
    os.makedirs(trained, exist_ok=True)
    for name, steps in STEPS.items():
        model_file = os.path.join(models, f'{name}.nn.json')
        weights = os.path.join(trained, f'{name}.safetensors')
        cli('train', model_file, '--steps', str(steps), '--out', weights)
        module_name = name.replace('-', '_')
        cli('export', model_file, '--weights', weights, '--out', os.path.join(export, f'{module_name}.py'))
        mod = import_module(os.path.join(export, f'{module_name}.py'))
        model = mod.load_model()
        with torch.no_grad():
            y = model(x)
        np.save(os.path.join(export, f'{module_name}-y.npy'), y.numpy())
        print(f'{name}: PyTorch ran export/{module_name}.py; row sums {[round(s, 6) for s in y.sum(dim=1).tolist()]}')
    shutil.rmtree(trained)


NET_PY = '''import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Net(nn.Module):
    """The teaching notebook's network: 784 -> 32 -> 10."""

    def __init__(self, hidden=32):
        super().__init__()
        self.W1 = nn.Linear(28 * 28, hidden)
        self.W2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        h = torch.sigmoid(self.W1(x))
        return F.softmax(self.W2(h), dim=1)


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for epoch in range(2):
    pass
'''


def from_pytorch(x):
    out = os.path.join(OUT, 'import')
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, 'net.py')
    with open(path, 'w') as f:
        f.write(NET_PY)
    net = import_module(path).model
    images = read_idx(os.path.join(ROOT, 'media', 'mnist', 'train-images-idx3-ubyte.gz'))[:200].reshape(200, 784)
    labels = read_idx(os.path.join(ROOT, 'media', 'mnist', 'train-labels-idx1-ubyte.gz'))[:200]
    xt = torch.from_numpy(images.astype(np.float32)) / 255
    yt = torch.from_numpy(labels.astype(np.int64))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for s in range(20):
        opt.zero_grad()
        h = torch.sigmoid(net.W1(xt[s * 10:(s + 1) * 10]))
        nn.functional.cross_entropy(net.W2(h), yt[s * 10:(s + 1) * 10]).backward()
        opt.step()
    sd = net.state_dict()
    save_safetensors(sd, os.path.join(out, 'net.safetensors'))
    arrays = {k: v.numpy() for k, v in sd.items()}
    np.savez(os.path.join(out, 'net.npz'), **arrays)
    np.savez_compressed(os.path.join(out, 'net-compressed.npz'), **arrays)
    np.save(os.path.join(out, 'net-dict.npy'), arrays, allow_pickle=True)
    with torch.no_grad():
        np.save(os.path.join(out, 'net-y.npy'), net(x).numpy())
    np.save(os.path.join(out, 'torch-dict.npy'), {'W1.weight': torch.ones(2, 2)}, allow_pickle=True)
    np.save(os.path.join(out, 'plain.npy'), np.ones((2, 3), dtype=np.float32))
    print('import/: net.py trained 20 steps in PyTorch; state dict as .safetensors, .npz, .npy')


def main():
    if not os.path.exists(TSX):
        sys.exit('run `npm ci` first: this script runs our CLI with node_modules/.bin/tsx')
    x = inputs()
    np.save(os.path.join(OUT, 'x.npy'), x.numpy())
    to_pytorch(x)
    from_pytorch(x)


if __name__ == '__main__':
    main()
