#!/usr/bin/env python3
"""Fixtures for the data and training tests, made with PyTorch 1.13 (Debian's python3-torch) and NumPy.

    /usr/bin/python3 scripts/make_data_fixtures.py

Writes test/fixtures/data/ (the test suite only reads these files; it never runs Python):
  torch-seed.safetensors      the seed network's initial weights (torch.manual_seed(0)), written by the small
                              safetensors writer below (Debian has no python3-safetensors)
  torch-x.npy, torch-y.npy    5 inputs and the network's softmax outputs for them (torch-y.txt: PyTorch's print)
  torch-steps100.safetensors  the weights after 100 SGD steps (lr 0.1, batch 10) on the embedded MNIST subset,
                              samples in the order of torch.randperm(8000, generator=torch.Generator().manual_seed(0))
  torch-half.safetensors      F16 and BF16 tensors, with their float32 values in torch-half.json
  npy-*.npy                   arrays numpy wrote: each supported dtype, and Fortran-order, big-endian and object arrays
Then it checks the other direction: it runs our CLI (`npx tsx src/cli/main.ts train ... --steps 100 --out`) and loads
the weights it wrote in PyTorch with the reader below, requiring them to match PyTorch's own 100 steps (atol 1e-5).
"""
import gzip
import json
import os
import struct
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'data')
ST_DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64', torch.uint8: 'U8', torch.float16: 'F16', torch.bfloat16: 'BF16'}
ST_TORCH = {v: k for k, v in ST_DTYPES.items()}


def save_safetensors(tensors, path):
    """The format: u64 little-endian header length, JSON header, raw little-endian bytes."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype in (torch.float16, torch.bfloat16) else t.numpy().tobytes()
        header[name] = {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def load_safetensors(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = OrderedDict()
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, end = e['data_offsets']
        raw = bytearray(data[8 + n + b:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=ST_TORCH[e['dtype']]).reshape(e['shape']).clone()
    return out


def seed_net():
    torch.manual_seed(0)
    return nn.Sequential(OrderedDict([('W1', nn.Linear(784, 64)), ('1', nn.Sigmoid()), ('W2', nn.Linear(64, 10)), ('3', nn.Softmax(dim=1))]))


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def train_steps(model, steps):
    media = os.path.join(ROOT, 'media', 'mnist')
    x = torch.from_numpy(read_idx(os.path.join(media, 'train-images-idx3-ubyte.gz')).reshape(-1, 784).astype(np.float32)) / 255
    y = torch.from_numpy(read_idx(os.path.join(media, 'train-labels-idx1-ubyte.gz')).astype(np.int64))
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    logits = nn.Sequential(*list(model.children())[:-1])  # cross-entropy on the logits before the final Softmax
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    for s in range(steps):
        idx = perm[s * 10:(s + 1) * 10]
        opt.zero_grad()
        loss = loss_fn(logits(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    model = seed_net()
    save_safetensors(model.state_dict(), os.path.join(OUT, 'torch-seed.safetensors'))
    g = torch.Generator().manual_seed(1)
    x = torch.rand(5, 784, generator=g)
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(OUT, 'torch-x.npy'), x.numpy())
    np.save(os.path.join(OUT, 'torch-y.npy'), y.numpy())
    with open(os.path.join(OUT, 'torch-y.txt'), 'w') as f:
        f.write(str(y) + '\n')  # what `nnlens predict` must print for torch-x.npy

    trained = train_steps(seed_net(), 100)
    save_safetensors(trained.state_dict(), os.path.join(OUT, 'torch-steps100.safetensors'))

    half = OrderedDict([('h', torch.tensor([0.5, -1.25, 65504.0, 6.1e-5, 0.0, -0.0, 3.14159], dtype=torch.float16)),
                        ('b', torch.tensor([[1.0, -2.5e38], [3.0e-38, 0.1]], dtype=torch.bfloat16))])
    save_safetensors(half, os.path.join(OUT, 'torch-half.safetensors'))
    json.dump({k: v.float().tolist() for k, v in half.items()}, open(os.path.join(OUT, 'torch-half.json'), 'w'))

    np.save(os.path.join(OUT, 'npy-f4.npy'), np.arange(12, dtype=np.float32).reshape(3, 4) / 7)
    np.save(os.path.join(OUT, 'npy-f8.npy'), np.array([[1e-300, -2.5], [np.pi, 1e300]], dtype=np.float64))
    np.save(os.path.join(OUT, 'npy-u1.npy'), np.array([0, 7, 255], dtype=np.uint8))
    np.save(os.path.join(OUT, 'npy-i8.npy'), np.array([[-(2 ** 53) + 1, 0], [42, 2 ** 53 - 1]], dtype=np.int64))
    np.save(os.path.join(OUT, 'npy-scalar.npy'), np.float32(2.5))
    np.save(os.path.join(OUT, 'npy-fortran.npy'), np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
    np.save(os.path.join(OUT, 'npy-bigendian.npy'), np.ones(3, dtype='>f4'))
    np.save(os.path.join(OUT, 'npy-object.npy'), np.array([1, 'a', None], dtype=object), allow_pickle=True)

    # The other direction: weights our engine trained and wrote load in PyTorch and match PyTorch's training.
    ours = os.path.join(OUT, 'nnlens-steps100.safetensors')
    subprocess.run(['npx', 'tsx', 'src/cli/main.ts', 'train', 'test/fixtures/data/seed.nn.json', '--steps', '100', '--out', ours],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    check = seed_net()
    check.load_state_dict(load_safetensors(ours))
    worst = max((check.state_dict()[k] - v).abs().max().item() for k, v in trained.state_dict().items())
    print(f'our 100-step weights load in PyTorch; largest difference from PyTorch\'s own: {worst:.2e}')
    if worst > 1e-5:
        sys.exit('FAIL: our training differs from PyTorch by more than 1e-5')


if __name__ == '__main__':
    main()
