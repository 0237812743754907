"""Shared by the Python sides of the epoch benchmark (bench/engine-epoch.bench.ts): the data, the BLAS report, and
the line protocol with the bench.

Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist when present (60,000 train / 10,000 test), else the
embedded MNIST subset of media/mnist: its 8,000 training digits cycled to 60,000, tested on its 2,000 test digits.
Pixels are float32 in [0, 1] (x / 255), as the engine's DataLoader gives them.

Protocol (--serve): one JSON line `{"ready": true, ...info}` on stdout once the data is loaded, then for each JSON
line on stdin `{"cmd": "run", "workload": {...}, "seed": N, "maxBatches": N or null}` one JSON result line;
`{"cmd": "quit"}` or end of input ends the process. A workload is
`{"id", "sizes": [784, 64, 10], "act": "sigmoid" | "relu", "batch": 10, "lr": 0.1}`.
"""
import gzip
import json
import os
import sys
import time

import numpy as np

FASHION = '/usr/share/datasets/fashion-mnist'
MEDIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'media', 'mnist')
TRAIN_COUNT = 60000

# The three rows of the table, for a run by hand (the bench sends its own).
WORKLOADS = [
    {'id': 'sigmoid-b10', 'sizes': [784, 64, 10], 'act': 'sigmoid', 'batch': 10, 'lr': 0.1},
    {'id': 'sigmoid-b64', 'sizes': [784, 64, 10], 'act': 'sigmoid', 'batch': 64, 'lr': 0.1},
    {'id': 'relu-b64', 'sizes': [784, 256, 256, 10], 'act': 'relu', 'batch': 64, 'lr': 0.05},
]


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy uint8 array of its dimensions."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(folder, base):
    for name in (base, base + '.gz'):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    return None


def load_data():
    """(Xtrain float32 [60000, 784], Ytrain int64, Xtest, Ytest, source)."""
    names = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
    paths = [find(FASHION, n) for n in names]
    if all(paths):
        source = 'fashion-mnist'
    else:
        paths = [find(MEDIA, n) for n in names]
        source = 'embedded-mnist'
    xtr, ytr, xte, yte = (read_idx(p) for p in paths)
    xtr = xtr.reshape(len(xtr), -1)
    xte = xte.reshape(len(xte), -1)
    if len(xtr) < TRAIN_COUNT:
        reps = -(-TRAIN_COUNT // len(xtr))
        xtr = np.tile(xtr, (reps, 1))[:TRAIN_COUNT]
        ytr = np.tile(ytr, reps)[:TRAIN_COUNT]
    f = lambda x: np.ascontiguousarray(x, dtype=np.float32) / np.float32(255)
    return f(xtr), ytr.astype(np.int64), f(xte), yte.astype(np.int64), source


def blas_report():
    """The BLAS and LAPACK libraries this process has mapped (real paths), and whether only the reference BLAS is."""
    libs = []
    with open('/proc/self/maps') as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6:
                continue
            p = parts[-1]
            base = os.path.basename(p).lower()
            if any(k in base for k in ('blas', 'lapack', 'mkl', 'blis', 'atlas')) and p not in libs:
                libs.append(p)
    optimized = any(any(k in os.path.basename(p).lower() or k in p.lower() for k in ('openblas', 'mkl', 'blis', 'atlas')) for p in libs)
    blas = [p for p in libs if 'blas' in os.path.basename(p).lower()]
    return {'libs': libs, 'reference': bool(blas) and not optimized}


def threads():
    """OS threads of this process right now (OpenBLAS starts OPENBLAS_NUM_THREADS - 1 helpers)."""
    try:
        return len(os.listdir('/proc/self/task'))
    except OSError:
        return None


def serve(info, run):
    """Speaks the protocol: `run(workload, seed, max_batches)` returns the result dict."""
    out = sys.stdout
    out.write(json.dumps({'ready': True, **info}) + '\n')
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get('cmd') == 'quit':
            break
        try:
            res = run(req['workload'], int(req.get('seed', 0)), req.get('maxBatches'))
            res['threads'] = threads()
        except Exception as e:  # reported to the bench, which prints it and goes on
            res = {'error': f'{type(e).__name__}: {e}'}
        out.write(json.dumps(res) + '\n')
        out.flush()


def main(info, run):
    """--serve: the protocol; else each workload once, printed (a run by hand)."""
    if '--serve' in sys.argv[1:]:
        serve(info, run)
        return
    print(json.dumps(info))
    for w in WORKLOADS:
        r = run(w, 0, None)
        print(f"{w['id']}: {r['seconds']:.2f} s/epoch ({r['batches']} batches), train loss {r['trainLoss']:.4f}, test accuracy {100 * r['testAccuracy']:.2f}%", flush=True)


def _schedstat():
    """(ns on a CPU, ns waiting for one) of this thread, from the scheduler; None where Linux does not say."""
    try:
        with open('/proc/thread-self/schedstat') as f:
            run, wait = f.read().split()[:2]
        return int(run), int(wait)
    except (OSError, ValueError):
        return None


class Clock:
    """Wall time of a run, and the CPU time of the thread that trains (what the wall time would be on an idle
    machine, for one thread) and how long it waited for a CPU (other processes' load)."""

    def __init__(self):
        self.t0 = time.perf_counter()
        self.c0 = time.thread_time()
        self.s0 = _schedstat()

    def stop(self):
        wall = time.perf_counter() - self.t0
        s1 = _schedstat()
        if self.s0 and s1:
            cpu, wait = (s1[0] - self.s0[0]) / 1e9, (s1[1] - self.s0[1]) / 1e9
        else:
            cpu, wait = time.thread_time() - self.c0, None
        return {'seconds': wall, 'cpuSeconds': cpu, 'waitSeconds': wait}
