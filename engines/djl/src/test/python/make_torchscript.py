#!/usr/bin/env python3
"""Writes iris_linear.pt and concrete_linear.pt: real TorchScript archives (what torch.jit.save writes for a one-layer model), made
without PyTorch, which this machine cannot install. The weights come from a softmax regression fitted here in
plain Python on sklearn_iris.csv (standardised features; the means and deviations are folded into the layer, so
the model takes raw measurements), and from a least-squares linear regression on concrete.csv (one output: the
compressive strength). The tests only need the committed .pt files; this script documents how they were made:
python3 make_torchscript.py ../../../../../shared/data ../resources
"""
import collections
import csv
import io
import math
import os
import pickle
import struct
import sys
import types
import zipfile

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["setosa", "versicolor", "virginica"]  # sorted, as Cogwork orders labels


def fit(path):
    rows = list(csv.DictReader(open(path)))
    x = [[float(r[f]) for f in FEATURES] for r in rows]
    y = [CLASSES.index(r["species"]) for r in rows]
    mean = [sum(v[j] for v in x) / len(x) for j in range(4)]
    sd = [math.sqrt(sum((v[j] - mean[j]) ** 2 for v in x) / len(x)) for j in range(4)]
    z = [[(v[j] - mean[j]) / sd[j] for j in range(4)] for v in x]
    w = [[0.0] * 4 for _ in range(3)]
    b = [0.0] * 3
    for _ in range(2000):
        gw = [[0.0] * 4 for _ in range(3)]
        gb = [0.0] * 3
        for v, t in zip(z, y):
            logits = [sum(w[k][j] * v[j] for j in range(4)) + b[k] for k in range(3)]
            m = max(logits)
            e = [math.exp(l - m) for l in logits]
            s = sum(e)
            for k in range(3):
                d = e[k] / s - (1.0 if k == t else 0.0)
                gb[k] += d
                for j in range(4):
                    gw[k][j] += d * v[j]
        for k in range(3):
            b[k] -= 0.5 * gb[k] / len(z)
            for j in range(4):
                w[k][j] -= 0.5 * gw[k][j] / len(z)
    # fold the standardisation into the layer: w' = w / sd, b' = b - sum(w * mean / sd)
    weight = [[w[k][j] / sd[j] for j in range(4)] for k in range(3)]
    bias = [b[k] - sum(w[k][j] * mean[j] / sd[j] for j in range(4)) for k in range(3)]
    return weight, bias


# Stand-ins for the globals TorchScript's unpickler knows; pickle writes them as GLOBAL opcodes by name.
def _module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


torch = _module("torch")
torch_utils = _module("torch._utils")
torchscript = _module("__torch__")


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Net:
    pass


Net.__module__ = "__torch__"
torchscript.Net = Net


class Storage:
    def __init__(self, key, values):
        self.key = key
        self.values = values


class Tensor:
    def __init__(self, storage, size):
        self.storage = storage
        self.size = size

    def __reduce_ex__(self, protocol):
        stride = (self.size[1], 1) if len(self.size) == 2 else (1,)
        return (_rebuild_tensor_v2, (self.storage, 0, self.size, stride, False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", len(obj.values))
        return None


CODE = '''class Net(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  def forward(self: __torch__.Net,
    x: Tensor) -> Tensor:
    return torch.linear(x, self.weight, self.bias)
'''


def fit_concrete(path):
    """Least squares by the normal equations (Gauss-Jordan), on the raw columns plus an intercept."""
    rows = list(csv.DictReader(open(path)))
    cols = [c for c in rows[0].keys() if c != "compressive_strength"]
    x = [[1.0] + [float(r[c]) for c in cols] for r in rows]
    y = [float(r["compressive_strength"]) for r in rows]
    n = len(x[0])
    a = [[sum(row[i] * row[j] for row in x) for j in range(n)] + [sum(row[i] * t for row, t in zip(x, y))] for i in range(n)]
    for i in range(n):
        p = max(range(i, n), key=lambda k: abs(a[k][i]))
        a[i], a[p] = a[p], a[i]
        for k in range(n):
            if k != i:
                f = a[k][i] / a[i][i]
                a[k] = [vk - f * vi for vk, vi in zip(a[k], a[i])]
    beta = [a[i][n] / a[i][i] for i in range(n)]
    return [beta[1:]], [beta[0]]


def write(weight, bias, out):
    w = Storage("0", [v for row in weight for v in row])
    b = Storage("1", bias)
    net = Net()
    net.__dict__.update({"training": False, "weight": Tensor(w, (len(weight), len(weight[0]))),
                         "bias": Tensor(b, (len(bias),))})
    data = io.BytesIO()
    Pickler(data, protocol=2).dump(net)
    prefix = os.path.splitext(os.path.basename(out))[0]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "/version", "3\n")
        z.writestr(prefix + "/data.pkl", data.getvalue())
        z.writestr(prefix + "/constants.pkl", pickle.dumps((), protocol=2))
        z.writestr(prefix + "/code/__torch__.py", CODE)
        for s in (w, b):
            z.writestr(prefix + "/data/" + s.key, struct.pack("<%df" % len(s.values), *s.values))


if __name__ == "__main__":
    data, out = sys.argv[1], sys.argv[2]
    weight, bias = fit(data + "/sklearn_iris.csv")
    write(weight, bias, out + "/iris_linear.pt")
    print("iris weight", weight, "bias", bias)
    weight, bias = fit_concrete(data + "/concrete.csv")
    write(weight, bias, out + "/concrete_linear.pt")
    print("concrete weight", weight, "bias", bias)
