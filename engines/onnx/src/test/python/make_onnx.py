#!/usr/bin/env python3
"""Writes the ONNX models the ONNX engine's tests import, and next to each the predictions the library that made it
gave for its test rows (the tests check that Cogwork reproduces them):

- iris_logistic.onnx: scikit-learn StandardScaler + LogisticRegression (multinomial) on sklearn_iris.csv, one float
  input "X" [N, 4]; outputs "label" (string [N]) and "probabilities" (float [N, 3], no ZipMap).
- credit_logistic.onnx: scikit-learn ColumnTransformer (median imputer + StandardScaler on the 9 numeric columns,
  OneHotEncoder(handle_unknown="ignore") on the 4 categorical ones) + LogisticRegression on credit_data.csv, one
  input per column as skl2onnx makes when given several inputs (float [N, 1] and string [N, 1]); outputs
  "output_label" and "output_probability" (a ZipMap: a sequence of maps class -> probability).
- iris_torch.onnx: a PyTorch classifier (4 -> 3 logits, standardisation inside) on sklearn_iris.csv, exported by
  torch.onnx.export; one output "logits" [N, 3] and no label: Cogwork applies softmax ("outputs": "logits") and labels
  the columns with the sorted training labels.
- concrete_mlp.onnx: a PyTorch MLP (8 -> 32 -> 1, ReLU) regressing compressive_strength on concrete.csv, with the
  input and target standardisation inside the module, exported by torch.onnx.export with a dynamic batch axis;
  input "x" float [N, 8], output "strength" float [N, 1].

This machine has neither skl2onnx nor onnxruntime for Python, so the two scikit-learn graphs are written with
onnx.helper from the fitted estimators, with the ai.onnx.ml operators skl2onnx uses for them (Imputer, Scaler,
OneHotEncoder, LinearClassifier, ZipMap): a faithful export of the fitted coefficients, not a re-fit.
Run with Debian's packages (python3-sklearn python3-onnx python3-torch python3-pandas):
  /usr/bin/python3 make_onnx.py ../../../../../../shared/data ../resources
"""
import json
import sys

import numpy as np
import onnx
import pandas as pd
import torch
from onnx import TensorProto, helper
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]


def save(graph, path, producer):
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name=producer)
    model.ir_version = 7  # what onnxruntime 1.x reads everywhere
    onnx.checker.check_model(model)
    onnx.save(model, path)


def linear_classifier(inputs, label, probabilities, lr, post_transform):
    coef, intercept = lr.coef_, lr.intercept_
    if coef.shape[0] == 1:  # binary: sklearn keeps one row (the second class); write both, as [-w, w]
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return helper.make_node("LinearClassifier", inputs, [label, probabilities], domain="ai.onnx.ml",
                            coefficients=coef.astype(np.float32).ravel().tolist(),
                            intercepts=intercept.astype(np.float32).tolist(),
                            classlabels_strings=[str(c) for c in lr.classes_], multi_class=0,
                            post_transform=post_transform)


def iris(data, out):
    df = pd.read_csv(data + "/sklearn_iris.csv")
    features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    train, test = train_test_split(df, test_size=0.2, random_state=0, stratify=df["species"])
    model = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=1000))])
    model.fit(train[features], train["species"])
    scaler, lr = model.named_steps["scale"], model.named_steps["lr"]
    nodes = [
        helper.make_node("Scaler", ["X"], ["scaled"], domain="ai.onnx.ml",
                         offset=scaler.mean_.astype(np.float32).tolist(),
                         scale=(1 / scaler.scale_).astype(np.float32).tolist()),
        linear_classifier(["scaled"], "label", "probabilities", lr, "SOFTMAX"),
    ]
    graph = helper.make_graph(nodes, "iris_logistic",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
                              [helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
                               helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])])
    save(graph, out + "/iris_logistic.onnx", "cogwork make_onnx.py (scikit-learn " + __import__("sklearn").__version__ + ")")
    expected = test[features].copy()
    expected["species"] = test["species"]
    expected["predicted"] = model.predict(test[features])
    for c, p in zip(lr.classes_, model.predict_proba(test[features]).T):
        expected["p_" + c] = p
    expected.to_csv(out + "/iris_logistic.expected.csv", index=False, float_format="%.9g")
    print("iris: test accuracy", (expected["predicted"] == expected["species"]).mean())


CREDIT_NUMERIC = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
CREDIT_CATEGORICAL = ["Home", "Marital", "Records", "Job"]


def credit(data, out):
    df = pd.read_csv(data + "/credit_data.csv")
    # Cogwork hands a missing category to the model as "" (a string input has no missing value): do the same here
    df[CREDIT_CATEGORICAL] = df[CREDIT_CATEGORICAL].fillna("")
    train, test = train_test_split(df, test_size=0.2, random_state=0, stratify=df["Status"])
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), CREDIT_NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CREDIT_CATEGORICAL)])
    model = Pipeline([("pre", pre), ("lr", LogisticRegression(max_iter=2000))])
    x = CREDIT_NUMERIC + CREDIT_CATEGORICAL
    model.fit(train[x], train["Status"])
    imputer = pre.named_transformers_["num"].named_steps["impute"]
    scaler = pre.named_transformers_["num"].named_steps["scale"]
    encoder = pre.named_transformers_["cat"]
    lr = model.named_steps["lr"]
    nodes = [
        helper.make_node("Concat", CREDIT_NUMERIC, ["numeric"], axis=1),
        helper.make_node("Imputer", ["numeric"], ["imputed"], domain="ai.onnx.ml",
                         imputed_value_floats=imputer.statistics_.astype(np.float32).tolist(),
                         replaced_value_float=float("nan")),
        helper.make_node("Scaler", ["imputed"], ["scaled"], domain="ai.onnx.ml",
                         offset=scaler.mean_.astype(np.float32).tolist(),
                         scale=(1 / scaler.scale_).astype(np.float32).tolist()),
    ]
    initializers = []
    encoded = ["scaled"]
    for column, categories in zip(CREDIT_CATEGORICAL, encoder.categories_):
        nodes.append(helper.make_node("OneHotEncoder", [column], [column + "_onehot"], domain="ai.onnx.ml",
                                      cats_strings=[str(c) for c in categories], zeros=1))
        initializers.append(helper.make_tensor(column + "_shape", TensorProto.INT64, [2], [-1, len(categories)]))
        nodes.append(helper.make_node("Reshape", [column + "_onehot", column + "_shape"], [column + "_encoded"]))
        encoded.append(column + "_encoded")
    nodes.append(helper.make_node("Concat", encoded, ["features"], axis=1))
    nodes.append(linear_classifier(["features"], "output_label", "probabilities", lr, "LOGISTIC"))
    nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml",
                                  classlabels_strings=[str(c) for c in lr.classes_]))
    inputs = [helper.make_tensor_value_info(c, TensorProto.FLOAT, [None, 1]) for c in CREDIT_NUMERIC]
    inputs += [helper.make_tensor_value_info(c, TensorProto.STRING, [None, 1]) for c in CREDIT_CATEGORICAL]
    outputs = [helper.make_tensor_value_info("output_label", TensorProto.STRING, [None]),
               helper.make_value_info("output_probability", helper.make_sequence_type_proto(map_type()))]
    graph = helper.make_graph(nodes, "credit_logistic", inputs, outputs, initializer=initializers)
    save(graph, out + "/credit_logistic.onnx", "cogwork make_onnx.py (scikit-learn " + __import__("sklearn").__version__ + ")")
    rows = test.head(200)
    expected = rows[["Status"] + x].copy()
    expected[CREDIT_CATEGORICAL] = expected[CREDIT_CATEGORICAL].replace("", np.nan)  # written as empty cells again
    expected["predicted"] = model.predict(rows[x])
    for c, p in zip(lr.classes_, model.predict_proba(rows[x]).T):
        expected["p_" + c] = p
    expected.to_csv(out + "/credit_logistic.expected.csv", index=False, float_format="%.9g")
    print("credit: test accuracy", (model.predict(test[x]) == test["Status"]).mean())


def map_type():
    """map(string, float), ZipMap's element type (onnx 1.12's helper has no make_map_type_proto)."""
    t = onnx.TypeProto()
    t.map_type.key_type = TensorProto.STRING
    t.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    return t


class Concrete(torch.nn.Module):
    def __init__(self, mean, std, y_mean, y_std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.y_mean, self.y_std = float(y_mean), float(y_std)
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std) * self.y_std + self.y_mean


class IrisNet(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.linear((x - self.mean) / self.std)


def iris_torch(data, out):
    df = pd.read_csv(data + "/sklearn_iris.csv")
    features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    classes = sorted(df["species"].unique())
    train, test = train_test_split(df, test_size=0.2, random_state=1, stratify=df["species"])
    torch.manual_seed(0)
    x = torch.tensor(train[features].values, dtype=torch.float32)
    y = torch.tensor([classes.index(c) for c in train["species"]])
    model = IrisNet(x.mean(0).tolist(), x.std(0).tolist())
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimiser.step()
    model.eval()
    torch.onnx.export(model, x[:2], out + "/iris_torch.onnx", input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    onnx.checker.check_model(onnx.load(out + "/iris_torch.onnx"))
    with torch.no_grad():
        p = torch.softmax(model(torch.tensor(test[features].values, dtype=torch.float32)), dim=1).numpy()
    expected = test[features + ["species"]].copy()
    expected["predicted"] = [classes[i] for i in p.argmax(1)]
    for k, c in enumerate(classes):
        expected["p_" + c] = p[:, k]
    expected.to_csv(out + "/iris_torch.expected.csv", index=False, float_format="%.9g")
    print("iris (torch): test accuracy", (expected["predicted"] == expected["species"]).mean())


def concrete(data, out):
    df = pd.read_csv(data + "/concrete.csv")
    features = [c for c in df.columns if c != "compressive_strength"]
    train, test = train_test_split(df, test_size=0.2, random_state=0)
    torch.manual_seed(0)
    x = torch.tensor(train[features].values, dtype=torch.float32)
    y = torch.tensor(train[["compressive_strength"]].values, dtype=torch.float32)
    model = Concrete(x.mean(0).tolist(), x.std(0).tolist(), y.mean(), y.std())
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(1500):
        optimiser.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimiser.step()
    model.eval()
    torch.onnx.export(model, x[:2], out + "/concrete_mlp.onnx", input_names=["x"], output_names=["strength"],
                      dynamic_axes={"x": {0: "batch"}, "strength": {0: "batch"}}, opset_version=13)
    onnx.checker.check_model(onnx.load(out + "/concrete_mlp.onnx"))
    with torch.no_grad():
        predicted = model(torch.tensor(test[features].values, dtype=torch.float32)).numpy().ravel()
    expected = test.copy()
    expected["predicted"] = predicted
    expected.to_csv(out + "/concrete_mlp.expected.csv", index=False, float_format="%.9g")
    rmse = float(np.sqrt(np.mean((predicted - test["compressive_strength"].values) ** 2)))
    print("concrete: test RMSE", rmse, "torch", torch.__version__)


if __name__ == "__main__":
    data, out = sys.argv[1], sys.argv[2]
    iris(data, out)
    credit(data, out)
    iris_torch(data, out)
    concrete(data, out)
