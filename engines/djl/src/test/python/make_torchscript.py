#!/usr/bin/env python3
"""Writes iris_linear.pt: a real TorchScript archive (what torch.jit.save writes for a one-layer model), made
without PyTorch, which this machine cannot install. The weights come from a softmax regression fitted here in
plain Python on sklearn_iris.csv (standardised features; the means and deviations are folded into the layer, so
the model takes raw measurements). The test only needs the committed .pt file; this script documents how it was
made: python3 make_torchscript.py ../../../../../shared/data/sklearn_iris.csv ../resources/iris_linear.pt
"""
import collections
import csv
import io
import math
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


def write(weight, bias, out):
    w = Storage("0", [v for row in weight for v in row])
    b = Storage("1", bias)
    net = Net()
    net.__dict__.update({"training": False, "weight": Tensor(w, (3, 4)), "bias": Tensor(b, (3,))})
    data = io.BytesIO()
    Pickler(data, protocol=2).dump(net)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("iris_linear/version", "3\n")
        z.writestr("iris_linear/data.pkl", data.getvalue())
        z.writestr("iris_linear/constants.pkl", pickle.dumps((), protocol=2))
        z.writestr("iris_linear/code/__torch__.py", CODE)
        for s in (w, b):
            z.writestr("iris_linear/data/" + s.key, struct.pack("<%df" % len(s.values), *s.values))


if __name__ == "__main__":
    weight, bias = fit(sys.argv[1])
    write(weight, bias, sys.argv[2])
    print("weight", weight, "bias", bias)
