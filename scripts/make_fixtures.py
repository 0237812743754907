#!/usr/bin/env python3
"""Generates the engine's PyTorch-parity fixtures (test/fixtures/engine/*.json) with Debian's python3-torch 1.13.

Run: /usr/bin/python3 scripts/make_fixtures.py   (or `npm run fixtures`). The fixtures are committed: the test
suite reads them and never needs Python. Inputs are drawn here and stored explicitly, so the fixtures do not depend
on our generator; rng.json separately checks that our generator reproduces torch.manual_seed streams.
"""
import json, math, os, sys
from collections import OrderedDict
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'engine')
os.makedirs(OUT, exist_ok=True)
DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int64', torch.bool: 'bool', torch.uint8: 'uint8'}


def enc(t):
    t = t.detach()
    vals = t.reshape(-1).tolist()
    if t.dtype in (torch.float32, torch.float64):
        short = (lambda v: float('%.9g' % v)) if t.dtype == torch.float32 else (lambda v: v)  # %.9g round-trips float32
        vals = [short(v) if math.isfinite(v) else ('nan' if v != v else ('inf' if v > 0 else '-inf')) for v in vals]
    elif t.dtype == torch.bool:
        vals = [1 if v else 0 for v in vals]
    return {'shape': list(t.shape), 'dtype': DT[t.dtype], 'data': vals}


def write(name, obj):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', name)


g = torch.Generator().manual_seed(1234)


def rnd(*shape, lo=-1.0, hi=1.0, dtype=torch.float32):
    return (torch.rand(tuple(shape), generator=g, dtype=torch.float64) * (hi - lo) + lo).to(dtype)


def sparse(*shape):
    x = rnd(*shape, lo=0, hi=1)
    return x * (rnd(*shape, lo=0, hi=1) < 0.2)


# ---- ops: name -> (inputs, lambda, kwargs-for-record) ----
CASES = []


def case(name, op, inputs, grad=True, **params):
    CASES.append((name, op, inputs, grad, params))


labels3 = torch.tensor([0, 4, 2])
# Elementwise with broadcasting (the notebook's [64, 1] + [64] trap included).
case('add', 'add', [rnd(3, 4), rnd(3, 4)])
case('add_bcast_row', 'add', [rnd(3, 4), rnd(4)])
case('add_bcast_outer', 'add', [rnd(3, 1), rnd(1, 4)])
case('add_bcast_3d', 'add', [rnd(2, 3, 4), rnd(3, 1)])
case('add_notebook_trap', 'add', [rnd(64, 1), rnd(64)])
case('add_0dim', 'add', [rnd(3, 4), rnd()])
case('sub', 'sub', [rnd(2, 3), rnd(3)])
case('mul', 'mul', [rnd(4, 1), rnd(1, 5)])
case('div', 'div', [rnd(3, 4), rnd(4, lo=0.5, hi=2)])
case('pow_tensor', 'pow', [rnd(3, 4, lo=0.5, hi=2), rnd(4, lo=-2, hi=2)])
case('add_scalar', 'add_scalar', [rnd(3, 4)], s=2.5)
case('rsub_scalar', 'rsub_scalar', [rnd(3, 4)], s=1.0)
case('mul_scalar', 'mul_scalar', [rnd(3, 4)], s=-3.0)
case('div_scalar', 'div_scalar', [rnd(3, 4)], s=4.0)
case('rdiv_scalar', 'rdiv_scalar', [rnd(3, 4, lo=0.5, hi=2)], s=2.0)
case('pow_scalar', 'pow_scalar', [rnd(3, 4)], s=2.0)
case('pow_half', 'pow_scalar', [rnd(3, 4, lo=0.1, hi=2)], s=0.5)
case('rpow', 'rpow', [rnd(3, 4)], s=2.0)
case('maximum', 'maximum', [rnd(3, 4), rnd(4)])
case('minimum', 'minimum', [rnd(3, 4), rnd(3, 1)])
for u in ['neg', 'exp', 'abs', 'sigmoid', 'tanh', 'relu']:
    case(u, u, [rnd(4, 5, lo=-3, hi=3)])
case('log', 'log', [rnd(4, 5, lo=0.1, hi=3)])
case('sqrt', 'sqrt', [rnd(4, 5, lo=0.1, hi=3)])
case('clamp', 'clamp', [rnd(4, 5)], min=-0.5, max=0.5)
case('clamp_min', 'clamp', [rnd(4, 5)], min=0.0, max=None)
case('sigmoid_extreme', 'sigmoid', [torch.tensor([-100.0, -20.0, 0.0, 20.0, 100.0])])
# Reductions.
case('sum_all', 'sum', [rnd(3, 4)])
case('sum_dim0', 'sum', [rnd(3, 4)], dim=0)
case('sum_dim1_keep', 'sum', [rnd(3, 4)], dim=1, keepdim=True)
case('sum_dims', 'sum', [rnd(2, 3, 4)], dim=[0, 2])
case('mean_all', 'mean', [rnd(3, 4)])
case('mean_last', 'mean', [rnd(2, 3, 4)], dim=-1)
case('var_all', 'var', [rnd(3, 4)])
case('var_dim0', 'var', [rnd(3, 4)], dim=0)
case('var_biased', 'var', [rnd(3, 4)], dim=1, unbiased=False, keepdim=True)
case('std_all', 'std', [rnd(3, 4)])
case('std_dim1', 'std', [rnd(3, 4)], dim=1)
case('max_all', 'max', [rnd(3, 4)])
case('max_dim1', 'max_dim', [rnd(3, 4)], dim=1)
case('min_dim0_keep', 'min_dim', [rnd(3, 4)], dim=0, keepdim=True)
case('argmax_all', 'argmax', [rnd(3, 4)], grad=False)
case('argmax_dim1', 'argmax', [rnd(3, 4)], dim=1, grad=False)
case('norm_all', 'norm', [rnd(3, 4)])
case('norm_dim1', 'norm', [rnd(3, 4)], dim=1)
# Products.
case('dot', 'matmul', [rnd(5), rnd(5)])
case('mm', 'matmul', [rnd(3, 4), rnd(4, 5)])
case('mv', 'matmul', [rnd(3, 4), rnd(4)])
case('vm', 'matmul', [rnd(4), rnd(4, 5)])
case('bmm', 'matmul', [rnd(2, 3, 4), rnd(2, 4, 5)])
case('matmul_bcast', 'matmul', [rnd(2, 3, 4), rnd(4, 5)])
case('matmul_bcast2', 'matmul', [rnd(3, 4), rnd(2, 4, 5)])
case('matmul_bcast4', 'matmul', [rnd(2, 1, 3, 4), rnd(5, 4, 2)])
case('mm_transposed', 'mm_tt', [rnd(4, 3), rnd(5, 4)])
case('mm_sparse_left', 'matmul', [sparse(10, 784), rnd(784, 16)])
case('mm_tn_sparse', 'mm_t_left', [rnd(10, 5), sparse(10, 784)])
case('linear_sparse_odd', 'linear', [sparse(3, 100), rnd(7, 100), rnd(7)])
case('addmm', 'addmm', [rnd(5), rnd(3, 4), rnd(4, 5)])
case('linear_2d', 'linear', [rnd(3, 6), rnd(4, 6), rnd(4)])
case('linear_1d', 'linear', [rnd(6), rnd(4, 6), rnd(4)])
case('linear_3d', 'linear', [rnd(2, 3, 6), rnd(4, 6), rnd(4)])
case('linear_nobias', 'linear', [rnd(3, 6), rnd(4, 6)])
case('linear_sparse_mnist', 'linear', [sparse(10, 784), rnd(64, 784, lo=-0.036, hi=0.036), rnd(64, lo=-0.036, hi=0.036)])
case('linear_sparse_x_grad', 'linear', [sparse(12, 784), rnd(16, 784), rnd(16)])
# nn.functional.
case('softmax_dim1', 'softmax', [rnd(3, 5, lo=-3, hi=3)], dim=1)
case('softmax_dim0', 'softmax', [rnd(3, 5, lo=-3, hi=3)], dim=0)
case('softmax_3d', 'softmax', [rnd(2, 3, 4, lo=-3, hi=3)], dim=1)
case('log_softmax', 'log_softmax', [rnd(3, 5, lo=-3, hi=3)], dim=1)
case('ce_mean', 'cross_entropy', [rnd(3, 5, lo=-3, hi=3), labels3])
case('ce_sum', 'cross_entropy', [rnd(3, 5, lo=-3, hi=3), labels3], reduction='sum')
case('ce_none', 'cross_entropy', [rnd(3, 5, lo=-3, hi=3), labels3], reduction='none')
case('ce_ignore', 'cross_entropy', [rnd(3, 5, lo=-3, hi=3), torch.tensor([1, -100, 3])])
case('ce_spatial', 'cross_entropy', [rnd(2, 4, 3, lo=-3, hi=3), torch.tensor([[0, 3, 1], [2, 2, 0]])])
case('ce_unbatched', 'cross_entropy', [rnd(5, lo=-3, hi=3), torch.tensor(2)])
case('nll', 'nll_loss', [rnd(3, 5, lo=-3, hi=0), labels3])
case('nll_sum', 'nll_loss', [rnd(3, 5, lo=-3, hi=0), labels3], reduction='sum')
case('mse', 'mse_loss', [rnd(3, 4), rnd(3, 4)])
case('mse_sum', 'mse_loss', [rnd(3, 4), rnd(3, 4)], reduction='sum')
case('mse_none', 'mse_loss', [rnd(3, 4), rnd(3, 4)], reduction='none')
# Views and copies.
case('view', 'view', [rnd(3, 4)], shape=[2, -1])
case('reshape_t', 'reshape_t', [rnd(3, 4)], shape=[12])
case('T', 'T', [rnd(3, 4)])
case('t', 't', [rnd(3, 4)])
case('transpose3', 'transpose', [rnd(2, 3, 4)], d0=0, d1=2)
case('permute', 'permute', [rnd(2, 3, 4)], dims=[2, 0, 1])
case('unsqueeze', 'unsqueeze', [rnd(3, 4)], dim=1)
case('squeeze', 'squeeze', [rnd(3, 1, 4)])
case('squeeze_dim', 'squeeze', [rnd(3, 1, 4)], dim=1)
case('flatten', 'flatten', [rnd(2, 3, 4)], start=1)
case('expand', 'expand', [rnd(3, 1)], shape=[3, 4])
case('contiguous_T', 'contiguous_T', [rnd(3, 4)])
case('clone', 'clone', [rnd(3, 4)])
case('cat', 'cat', [rnd(2, 3), rnd(1, 3)], dim=0)
case('stack', 'stack', [rnd(2, 3), rnd(2, 3)], dim=1)
for ix in [':2, :3', '1', '-1', '1:', '::2', ':, 1', '..., 0', 'None', '1:, None', '0, 0', ':', '..., :', ':, :', '-2:, 1::2', '2:1']:
    case('index[' + ix + ']', 'index', [rnd(4, 5)], index=ix)


def run(op, t, p):
    a = t
    if op == 'add': return a[0] + a[1]
    if op == 'sub': return a[0] - a[1]
    if op == 'mul': return a[0] * a[1]
    if op == 'div': return a[0] / a[1]
    if op == 'pow': return a[0] ** a[1]
    if op == 'add_scalar': return a[0] + p['s']
    if op == 'rsub_scalar': return p['s'] - a[0]
    if op == 'mul_scalar': return a[0] * p['s']
    if op == 'div_scalar': return a[0] / p['s']
    if op == 'rdiv_scalar': return p['s'] / a[0]
    if op == 'pow_scalar': return a[0] ** p['s']
    if op == 'rpow': return p['s'] ** a[0]
    if op == 'maximum': return torch.maximum(a[0], a[1])
    if op == 'minimum': return torch.minimum(a[0], a[1])
    if op in ('neg', 'exp', 'abs', 'sigmoid', 'tanh', 'relu', 'log', 'sqrt'): return getattr(torch, op)(a[0])
    if op == 'clamp': return a[0].clamp(min=p['min'], max=p['max'])
    if op in ('sum', 'mean'):
        return getattr(a[0], op)() if 'dim' not in p else getattr(a[0], op)(dim=p['dim'], keepdim=p.get('keepdim', False))
    if op in ('var', 'std'):
        return getattr(a[0], op)() if 'dim' not in p else getattr(a[0], op)(dim=p['dim'], unbiased=p.get('unbiased', True), keepdim=p.get('keepdim', False))
    if op == 'max': return a[0].max()
    if op == 'max_dim': return a[0].max(dim=p['dim'], keepdim=p.get('keepdim', False))
    if op == 'min_dim': return a[0].min(dim=p['dim'], keepdim=p.get('keepdim', False))
    if op == 'argmax': return a[0].argmax() if 'dim' not in p else a[0].argmax(dim=p['dim'])
    if op == 'norm': return a[0].norm() if 'dim' not in p else a[0].norm(dim=p['dim'])
    if op == 'matmul': return a[0] @ a[1]
    if op == 'mm_tt': return a[0].T @ a[1].T
    if op == 'mm_t_left': return a[0].T @ a[1]
    if op == 'addmm': return torch.addmm(a[0], a[1], a[2])
    if op == 'linear': return F.linear(a[0], a[1], a[2] if len(a) > 2 else None)
    if op == 'softmax': return F.softmax(a[0], dim=p['dim'])
    if op == 'log_softmax': return F.log_softmax(a[0], dim=p['dim'])
    if op == 'cross_entropy': return F.cross_entropy(a[0], a[1], reduction=p.get('reduction', 'mean'))
    if op == 'nll_loss': return F.nll_loss(a[0], a[1], reduction=p.get('reduction', 'mean'))
    if op == 'mse_loss': return F.mse_loss(a[0], a[1], reduction=p.get('reduction', 'mean'))
    if op == 'view': return a[0].view(*p['shape'])
    if op == 'reshape_t': return a[0].T.reshape(*p['shape'])
    if op == 'T': return a[0].T
    if op == 't': return a[0].t()
    if op == 'transpose': return a[0].transpose(p['d0'], p['d1'])
    if op == 'permute': return a[0].permute(*p['dims'])
    if op == 'unsqueeze': return a[0].unsqueeze(p['dim'])
    if op == 'squeeze': return a[0].squeeze() if 'dim' not in p else a[0].squeeze(p['dim'])
    if op == 'flatten': return a[0].flatten(p['start'])
    if op == 'expand': return a[0].expand(*p['shape'])
    if op == 'contiguous_T': return a[0].T.contiguous()
    if op == 'clone': return a[0].clone()
    if op == 'cat': return torch.cat(list(a), dim=p['dim'])
    if op == 'stack': return torch.stack(list(a), dim=p['dim'])
    if op == 'index': return eval('a[0][' + p['index'] + ']')
    raise ValueError(op)


ops = []
for name, op, inputs, grad, params in CASES:
    ts = []
    for x in inputs:
        x = x.clone()
        if grad and x.dtype.is_floating_point:
            x.requires_grad_(True)
        ts.append(x)
    out = run(op, ts, params)
    rec = {'name': name, 'op': op, 'params': params, 'inputs': [enc(x) for x in ts],
           'requires_grad': [bool(x.requires_grad) for x in ts]}
    if isinstance(out, tuple):
        rec['out'] = enc(out[0]); rec['indices'] = enc(out[1]); main = out[0]
    else:
        rec['out'] = enc(out); main = out
    rec['grad_fn'] = type(main.grad_fn).__name__ if main.grad_fn is not None else None
    rec['repr'] = repr(main)
    if grad and main.requires_grad:
        up = rnd(*main.shape, dtype=main.dtype)
        main.backward(up)
        rec['upstream'] = enc(up)
        rec['grads'] = [enc(x.grad) if x.grad is not None else None for x in ts]
    ops.append(rec)
write('ops.json', ops)

# ---- printing: PyTorch's repr for many shapes, dtypes and magnitudes ----
torch.manual_seed(7)
prints = []
def P(t, **kw):
    prints.append({'t': enc(t), 'repr': repr(t), **kw})
P(torch.tensor(0.5)); P(torch.tensor(3)); P(torch.tensor(-0.0)); P(torch.tensor([1., 2., 3.]))
P(torch.tensor([1., -2., 30000.])); P(torch.tensor([1e-5, 1.0])); P(torch.tensor([1e9, 1.0])); P(torch.tensor([123456789.]))
P(torch.tensor([0.03125, 0.09375, -0.03125])); P(torch.tensor([0.5, 1.5, 2.5]) * 0 + torch.tensor([0.5, 1.5, 2.5]))
P(torch.tensor([float('nan'), 1.0, float('inf'), -float('inf')])); P(torch.tensor([float('nan'), 1.5]))
P(torch.tensor([-0.0, 0.0])); P(torch.zeros(3)); P(torch.zeros(2, 0)); P(torch.zeros(0)); P(torch.zeros(0, dtype=torch.int64))
P(torch.arange(10)); P(torch.arange(-5, 5)); P(torch.arange(2000)); P(torch.arange(1001.))
P(torch.tensor([True, False])); P(torch.tensor([1, 2], dtype=torch.uint8)); P(torch.tensor([1.5, 2], dtype=torch.float64))
P(torch.randn(3, 4)); P(torch.randn(2, 3, 4)); P(torch.randn(2, 2, 2, 2)); P(torch.randn(40)); P(torch.randn(64, 784)); P(torch.randn(10, 10, 10, 2))
P(torch.randn(3, 4) * 1e-3); P(torch.randn(3, 4) * 1e5); P(torch.randn(3, 300)); P(torch.randn(100, 3)); P(torch.randn(5) * 100)
P(torch.randn(3, 4, dtype=torch.float64)); P(torch.randint(0, 100000, (3, 30))); P(torch.tensor([[1, -1], [1000000, 2]]))
P(torch.tensor([1e-10, 1e10])); P(torch.tensor([1.0, 2.0]) / 3); P(torch.full((2, 2), 7.0)); P(torch.eye(3))
r = torch.randn(3, 4, requires_grad=True); P(r, requires_grad=True)
P(torch.randn(64, 784, requires_grad=True), requires_grad=True)
x = torch.randn(3, 4, requires_grad=True); y = (x * 2).sum(1); prints.append({'t': enc(y), 'repr': repr(y), 'grad_fn': 'SumBackward1'})
y = torch.randn(8, 100, requires_grad=True) + 1; prints.append({'t': enc(y), 'repr': repr(y), 'grad_fn': 'AddBackward0'})
y = torch.randn(1, requires_grad=True) * 1; prints.append({'t': enc(y), 'repr': repr(y), 'grad_fn': 'MulBackward0'})
y = torch.randn(9, requires_grad=True) * 1; prints.append({'t': enc(y), 'repr': repr(y), 'grad_fn': 'MulBackward0'})
p = nn.Parameter(torch.randn(2, 3)); prints.append({'t': enc(p), 'repr': repr(p), 'parameter': True})
write('printing.json', prints)

# ---- RNG streams ----
rng = []
for seed in [0, 1, 42, 123456789]:
    torch.manual_seed(seed)
    e = {'seed': seed, 'rand': torch.rand(20).tolist(), 'rand64': torch.rand(5, dtype=torch.float64).tolist(),
         'randn_small': torch.randn(7).tolist(), 'randn_big': torch.randn(37).tolist(),
         'randn64': torch.randn(19, dtype=torch.float64).tolist(),
         'randint': torch.randint(0, 10, (12,)).tolist(), 'randint_big': torch.randint(-5, 2**33, (4,)).tolist(),
         'randperm': torch.randperm(25).tolist()}
    torch.manual_seed(seed)
    lin = nn.Linear(784, 64)
    e['linear_weight_head'] = lin.weight.reshape(-1)[:50].tolist()
    e['linear_weight_sum'] = lin.weight.double().sum().item()
    e['linear_bias'] = lin.bias.tolist()
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(784, 64), nn.Sigmoid(), nn.Linear(64, 10))
    e['seq_w2'] = m[2].weight.reshape(-1).tolist()
    e['seq_b2'] = m[2].bias.tolist()
    rng.append(e)
write('rng.json', rng)

# ---- optimisers: a few steps on fixed params and grads ----
opt = []
def optim_case(name, make, steps=3):
    torch.manual_seed(3)
    p1 = nn.Parameter(torch.randn(4, 3)); p2 = nn.Parameter(torch.randn(3))
    init = [enc(p1), enc(p2)]
    o = make([p1, p2])
    grads = []
    for s in range(steps):
        g1 = torch.randn(4, 3); g2 = torch.randn(3)
        p1.grad = g1.clone(); p2.grad = g2.clone()
        grads.append([enc(g1), enc(g2)])
        o.step()
    opt.append({'name': name, 'init': init, 'grads': grads, 'final': [enc(p1), enc(p2)]})
optim_case('sgd', lambda ps: torch.optim.SGD(ps, lr=0.1))
optim_case('sgd_momentum', lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))
optim_case('sgd_nesterov_wd', lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))
optim_case('sgd_dampening', lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.5, dampening=0.3))
optim_case('adam', lambda ps: torch.optim.Adam(ps, lr=0.01))
optim_case('adam_wd', lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
optim_case('adam_amsgrad', lambda ps: torch.optim.Adam(ps, lr=0.02, amsgrad=True))
write('optim.json', opt)

# ---- modules: repr and state_dict keys ----
mods = []
def M(name, m):
    mods.append({'name': name, 'repr': repr(m), 'keys': list(m.state_dict().keys()),
                 'shapes': [list(v.shape) for v in m.state_dict().values()]})
M('notebook', nn.Sequential(OrderedDict([('W1', nn.Linear(784, 64)), ('1', nn.Sigmoid()), ('W2', nn.Linear(64, 10)), ('3', nn.Softmax(dim=1))])))
M('indexed', nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10, bias=False), nn.LogSoftmax(dim=1)))
M('nested', nn.Sequential(nn.Sequential(nn.Linear(4, 3), nn.Tanh()), nn.Linear(3, 2)))
M('dropout', nn.Dropout(p=0.25)); M('flatten', nn.Flatten(0, -1)); M('linear_nobias', nn.Linear(3, 2, bias=False))
write('modules.json', mods)

# ---- inspector expressions against a seeded model ----
torch.manual_seed(0)
model = nn.Sequential(OrderedDict([('W1', nn.Linear(784, 64)), ('act', nn.Sigmoid()), ('W2', nn.Linear(64, 10)), ('out', nn.Softmax(dim=1))]))
x = torch.rand(2, 784)
loss = F.cross_entropy(model.W2(model.act(model.W1(x))), torch.tensor([3, 7]))
loss.backward()
scope = {'W1': model.W1, 'W2': model.W2, 'model': model, 'torch': torch, 'F': F, 'x': x}
exprs = [
    'W1.weight.shape', 'W1.weight[:2, :3]', 'W2.bias', 'W1.weight[3].view(28, 28)[10:13, 10:14]', 'W1.weight.grad[:2, 300:304]',
    'W1.weight.data.shape', 'W1.weight.T.shape', 'W1.weight.mean()', 'W1.weight.std()', 'W1.weight.max()', 'W1.weight.abs().max()',
    'W2.weight.sum(dim=1)', 'W2.weight.max(1)', 'W2.weight.argmax(dim=1)', 'torch.sigmoid(W2.bias)', 'F.softmax(W2.bias, dim=0)',
    'W1.weight.norm()', 'W1.weight.size()', 'W1.weight.size(1)', 'W1.weight.numel()', 'W1.weight.dtype', 'W1.weight.requires_grad',
    'W1.bias.grad_fn', 'W1.weight.ndim', 'W1.weight[0, 0].item()', 'W2.bias.tolist()', 'W1', 'model', 'model[2]', 'model.W2.bias',
    'len(model)', 'W1.in_features', 'x.shape', 'model(x).sum(1)', 'model(x).argmax(1)', '(W2.weight @ torch.ones(64))[:3]',
    'W2.bias * 2', '1 - W2.bias', '2 / W2.bias[:2]', 'W2.bias ** 2', '-W2.bias[:3]', 'W2.bias > 0', 'W2.bias.clamp(min=0)',
    'torch.zeros(2, 3)', 'torch.ones(3, dtype=torch.float64)', 'torch.arange(5)', 'torch.arange(0, 1, 0.25)', 'torch.tensor([[1, 2], [3, 4]])',
    'torch.tensor([1.5, 2])', 'torch.eye(2)', 'torch.linspace(0, 1, 5)', 'torch.full((2, 2), 3)', 'torch.cat([W2.bias[:2], W2.bias[-2:]])',
    'torch.stack([W2.bias[:2], W2.bias[2:4]])', 'W2.weight[:, None, :2].shape', 'W2.weight[..., 0]', 'W2.weight[-1, ::16]',
    'W1.weight[3].view(28, -1).shape', 'W2.weight.flatten().shape', 'W2.weight.unsqueeze(0).shape', 'W2.weight.t().shape',
    'W2.weight.permute(1, 0).shape', 'W2.bias.view(2, 5).sum(0)', 'W2.bias.reshape(5, 2)', 'W2.weight.var(dim=1)[:3]', '3 + 4 * 2',
    '7 / 2', '7 // 2', '2 ** 10', 'W2.weight.shape[0]', 'W2.weight.shape[-1]', 'W1.weight[:2, :3].T', 'W1.weight[:2, :3].contiguous()',
    'W2.bias.double()', 'W2.bias.long()', 'W2.bias.exp().sum()', 'torch.matmul(W2.weight[:2, :3], W1.weight[:3, :2])',
    'W2.weight.mean(dim=0, keepdim=True).shape', 'W2.bias.unsqueeze(1) + W2.bias[:3]', 'F.cross_entropy(model.W2(model.act(model.W1(x))), torch.tensor([3, 7]))',
    'model.W1.weight.grad.shape', 'W1.weight[:2, :3].requires_grad', 'W2.bias.detach()', 'W2.bias.data', 'W2.bias.min(0)',
    # errors (the class name and message are checked)
    'W1.weight[:2, ::-1]', 'W1.weight[64]', 'W1.weight[0, 0, 0]', 'W1.weight.view(3, 3)', 'W3', 'W1.weight @ W2.weight', 'W1.weight.foo',
    'W1.weight[', '1 +', 'W1.weight[::0]', 'W1.weight.T.view(-1)', 'torch.zeros(2, 3) + torch.zeros(3, 2)', 'W2.bias.softmax(dim=2)',
    'W1.weight[...,...]', 'W2.bias.sum(dim=1)', 'W2.bias.mean(dim=(0, 0))',
]
ex = []
for e in exprs:
    try:
        v = eval(e, {}, scope)
        ex.append({'expr': e, 'text': repr(v)})
    except Exception as err:
        ex.append({'expr': e, 'error': type(err).__name__, 'message': str(err).split('\n')[0]})
write('expressions.json', ex)

# ---- error messages for bad shapes ----
errs = []
def E(name, f):
    try:
        f(); errs.append({'name': name, 'message': None})
    except Exception as err:
        errs.append({'name': name, 'type': type(err).__name__, 'message': str(err).split('\n')[0]})
E('mm_mismatch', lambda: torch.ones(1, 784) @ torch.ones(64, 10))
E('linear_mismatch', lambda: F.linear(torch.ones(1, 784), torch.ones(10, 64)))
E('add_mismatch', lambda: torch.ones(3, 4) + torch.ones(5))
E('view_bad', lambda: torch.ones(10).view(3, -1))
E('view_two_infer', lambda: torch.ones(12).view(-1, -1))
E('view_noncontig', lambda: torch.ones(3, 4).T.view(-1))
E('dim_range', lambda: torch.ones(3, 4).sum(dim=2))
E('index_range', lambda: torch.ones(3, 4)[5])
E('too_many', lambda: torch.ones(3, 4)[0, 0, 0])
E('neg_step', lambda: torch.ones(3, 4)[::-1])
E('ce_target_range', lambda: F.cross_entropy(torch.ones(2, 10), torch.tensor([1, 12])))
E('ce_batch', lambda: F.cross_entropy(torch.ones(2, 10), torch.tensor([1, 2, 3])))
E('item_many', lambda: torch.ones(3).item())
E('dot_mismatch', lambda: torch.ones(3) @ torch.ones(4))
E('mv_mismatch', lambda: torch.ones(3, 4) @ torch.ones(5))
E('expand_bad', lambda: torch.ones(3).expand(3, 4))
E('cat_bad', lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]))
E('stack_bad', lambda: torch.stack([torch.ones(2, 3), torch.ones(2, 4)]))
E('leaf_inplace', lambda: nn.Linear(2, 2).weight.add_(1))
E('backward_nonscalar', lambda: (torch.ones(3, requires_grad=True) * 2).backward())
E('backward_nograd', lambda: torch.ones(3).sum().backward())
E('mean_long', lambda: torch.arange(3).mean())
E('int_requires_grad', lambda: torch.arange(3).requires_grad_())
E('load_state_dict', lambda: nn.Linear(784, 64).load_state_dict(nn.Linear(784, 8).state_dict()))
E('load_state_dict_keys', lambda: nn.Sequential(nn.Linear(2, 2)).load_state_dict({'W1.weight': torch.ones(2, 2)}))
E('softmax_dim', lambda: F.softmax(torch.ones(3, 4), dim=2))
E('permute_dup', lambda: torch.ones(2, 3).permute(0, 0))
E('flatten_order', lambda: torch.ones(2, 3, 4).flatten(2, 1))
E('dropout_p', lambda: F.dropout(torch.ones(3), p=1.5))
E('sgd_lr', lambda: torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=-1))
E('nesterov', lambda: torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1, nesterov=True))
write('errors.json', errs)
print('torch', torch.__version__)
