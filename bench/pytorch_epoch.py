"""Reference timing: one epoch of the 784-64-10 sigmoid MLP with SGD in PyTorch on one CPU thread.
Run: /usr/bin/python3 bench/pytorch_epoch.py [batch ...]   (needs Debian's python3-torch + libopenblas0-pthread)
Uses the full Fashion-MNIST training set when present, else 60,000 random sparse images (same work)."""
import gzip, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
path = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'
if os.path.exists(path):
    with gzip.open(path) as f:
        X = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
    with gzip.open(path.replace('images-idx3', 'labels-idx1')) as f:
        Y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
else:
    rng = np.random.default_rng(0)
    X = (rng.random((60000, 784)) * (rng.random((60000, 784)) < 0.2)).astype(np.float32)
    Y = rng.integers(0, 10, 60000)
X = torch.from_numpy(X); Y = torch.from_numpy(Y)
for batch in [int(a) for a in sys.argv[1:]] or [10, 64]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 64), nn.Sigmoid(), nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    perm = torch.randperm(len(X))
    t0 = time.perf_counter()
    for i in range(0, len(X), batch):
        idx = perm[i:i + batch]
        x, y = X[idx], Y[idx]
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    print(f'pytorch {torch.__version__} threads=1 batch={batch}: {dt:.2f} s/epoch, {len(X) / dt:,.0f} samples/s, last loss {loss.item():.4f}')
