"""The numpy side of the epoch benchmark: the same MLP, loss and SGD as pytorch_epoch.py with backprop written by
hand in float32 (weights stored [in, out] so the products need no transposed copies; softmax and cross-entropy
fused in the backward, d(logits) = (softmax - onehot) / B), batches by indexing with a permutation slice, the
products through numpy's BLAS on one thread (OPENBLAS_NUM_THREADS=1, set by the bench before numpy loads it).

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/epoch/numpy_epoch.py [--serve]
"""
import os
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # before numpy or torch loads OpenBLAS
import numpy as np

from common import Clock, blas_report, load_data, main

xtr, ytr, xte, yte, source = load_data()
N = len(xtr)


def init(sizes, rng):
    """PyTorch's nn.Linear init: weight and bias U(-1/sqrt(in), 1/sqrt(in))."""
    Ws, bs = [], []
    for i in range(len(sizes) - 1):
        k = 1 / np.sqrt(sizes[i])
        Ws.append(rng.uniform(-k, k, (sizes[i], sizes[i + 1])).astype(np.float32))
        bs.append(rng.uniform(-k, k, sizes[i + 1]).astype(np.float32))
    return Ws, bs


def forward(Ws, bs, x, act):
    """The activations of every layer (input first, logits last)."""
    hs = [x]
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = hs[-1] @ W
        z += b
        if i < len(Ws) - 1:
            if act == 'sigmoid':
                np.negative(z, out=z)
                np.exp(z, out=z)
                z += np.float32(1)
                np.reciprocal(z, out=z)
            else:
                np.maximum(z, np.float32(0), out=z)
        hs.append(z)
    return hs


def run(w, seed, max_batches):
    rng = np.random.default_rng(seed)
    Ws, bs = init(w['sizes'], rng)
    act, B, lr = w['act'], w['batch'], np.float32(w['lr'])
    total, n, samples = 0.0, 0, 0
    clock = Clock()
    perm = rng.permutation(N)
    for i in range(0, N, B):
        idx = perm[i:i + B]
        x, y = xtr[idx], ytr[idx]
        b = len(y)
        hs = forward(Ws, bs, x, act)
        z = hs[-1]
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)  # softmax
        rows = np.arange(b)
        total += float(-np.log(z[rows, y]).mean())
        z[rows, y] -= np.float32(1)
        d = z
        d /= np.float32(b)  # d loss / d logits
        for j in range(len(Ws) - 1, -1, -1):
            dW = hs[j].T @ d
            db = d.sum(axis=0)
            if j > 0:
                d = d @ Ws[j].T
                h = hs[j]
                if act == 'sigmoid':
                    d *= h * (np.float32(1) - h)
                else:
                    d *= h > 0
            Ws[j] -= lr * dW
            bs[j] -= lr * db
        n += 1
        samples += b
        if max_batches and n >= max_batches:
            break
    times = clock.stop()
    pred = forward(Ws, bs, xte, act)[-1].argmax(axis=1)
    return {**times, 'batches': n, 'samples': samples, 'trainLoss': total / max(n, 1), 'testAccuracy': float((pred == yte).mean()), 'testCount': len(yte)}


main({
    'name': 'numpy',
    'version': f'numpy {np.__version__}',
    'blas': blas_report(),
    'data': {'source': source, 'train': N, 'test': len(xte)},
}, run)
