"""Reference timing: one epoch of the 784-64-10 sigmoid MLP with SGD in PyTorch on one CPU thread.
Run: /usr/bin/python3 bench/pytorch_epoch.py [--data mnist|fashion] [batch ...]
(needs Debian's python3-torch + libopenblas0-pthread). `mnist`: the 10,000 embedded MNIST digits of media/mnist
cycled to 60,000 (what bench/engine-epoch.bench.ts trains on); `fashion`: the full Fashion-MNIST train set."""
import gzip, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
args = sys.argv[1:]
data = 'fashion'
if args[:1] == ['--data']:
    data, args = args[1], args[2:]


def idx(path, offset, shape):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset).reshape(shape)


if data == 'mnist':
    media = os.path.join(os.path.dirname(__file__), '..', 'media', 'mnist')
    Xs = [idx(os.path.join(media, f'{p}-images-idx3-ubyte.gz'), 16, (-1, 784)) for p in ('train', 't10k')]
    Ys = [idx(os.path.join(media, f'{p}-labels-idx1-ubyte.gz'), 8, (-1,)) for p in ('train', 't10k')]
    X0, Y0 = np.concatenate(Xs), np.concatenate(Ys)
    reps = -(-60000 // len(X0))
    X = np.tile(X0, (reps, 1))[:60000].astype(np.float32) / 255
    Y = np.tile(Y0, reps)[:60000].astype(np.int64)
else:
    path = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'
    X = idx(path, 16, (-1, 784)).astype(np.float32) / 255
    Y = idx(path.replace('images-idx3', 'labels-idx1'), 8, (-1,)).astype(np.int64)
X = torch.from_numpy(X); Y = torch.from_numpy(Y)
for batch in [int(a) for a in args] or [10, 64]:
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
    print(f'pytorch {torch.__version__} threads=1 {data} batch={batch}: {dt:.2f} s/epoch, {len(X) / dt:,.0f} samples/s, last loss {loss.item():.4f}')
