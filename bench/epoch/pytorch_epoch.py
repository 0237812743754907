"""The PyTorch side of the epoch benchmark: one epoch of an MLP (Linear layers with sigmoid or ReLU between them),
cross-entropy on the logits, plain SGD, over 60,000 shuffled images, on ONE thread (torch.set_num_threads(1), and
OPENBLAS_NUM_THREADS=1 from the bench for the BLAS Debian's torch calls), then the accuracy on the test images.

Batches come from torch.utils.data.DataLoader(TensorDataset(X, Y), batch_size, shuffle=True), as a PyTorch user
writes it (the row the targets compare with); `--loader index` takes them by indexing the tensors with a
torch.randperm slice instead (no DataLoader: PyTorch's own arithmetic with the least overhead around it).

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/epoch/pytorch_epoch.py [--loader dataloader|index] [--serve]
(needs Debian's python3-torch; libopenblas0-pthread for a BLAS worth comparing with: see the `blas` it reports).
"""
import os
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # before numpy or torch loads OpenBLAS
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from common import Clock, blas_report, load_data, main

torch.set_num_threads(1)
args = sys.argv[1:]
LOADER = args[args.index('--loader') + 1] if '--loader' in args else 'dataloader'
if LOADER not in ('dataloader', 'index'):
    sys.exit(f'--loader must be dataloader or index, got {LOADER}')

xtr, ytr, xte, yte, source = load_data()
X, Y = torch.from_numpy(xtr), torch.from_numpy(ytr)
XT, YT = torch.from_numpy(xte), torch.from_numpy(yte)


def build(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.Sigmoid() if act == 'sigmoid' else nn.ReLU())
    return nn.Sequential(*layers)


def batches(batch, seed):
    if LOADER == 'dataloader':
        return DataLoader(TensorDataset(X, Y), batch_size=batch, shuffle=True, generator=torch.Generator().manual_seed(seed))
    g = torch.Generator().manual_seed(seed)

    def gen():
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            yield X[idx], Y[idx]
    return gen()


def run(w, seed, max_batches):
    torch.manual_seed(seed)
    model = build(w['sizes'], w['act'])
    opt = torch.optim.SGD(model.parameters(), lr=w['lr'])
    total, n, samples = 0.0, 0, 0
    clock = Clock()
    for x, y in batches(w['batch'], seed):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        total += loss.item()
        n += 1
        samples += len(y)
        if max_batches and n >= max_batches:
            break
    times = clock.stop()
    with torch.no_grad():
        acc = (model(XT).argmax(1) == YT).float().mean().item()
    return {**times, 'batches': n, 'samples': samples, 'trainLoss': total / max(n, 1), 'testAccuracy': acc, 'testCount': len(YT)}


main({
    'name': f'pytorch-{LOADER}',
    'version': f'PyTorch {torch.__version__}',
    'torchThreads': torch.get_num_threads(),
    'blas': blas_report(),
    'data': {'source': source, 'train': len(X), 'test': len(XT)},
}, run)
