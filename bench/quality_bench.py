"""Quality and training time, scikit-learn and Cogwork side by side (issue 20). Run by bench/quality-bench.sh,
which starts Cogwork and passes its address; this script makes one 80/20 split per data set (scikit-learn's
train_test_split, seed 42, stratified for classification), writes the two parts as CSV files into a folder Cogwork
reads as a file source, fits scikit-learn's families on the train part and scores them on the test part, then
submits Cogwork's spec for each family (train file, test file as the fixed test set, registered as a model) and
reads the test metrics Cogwork computed. Times: scikit-learn's fit (preprocessing included), the median of REPEAT
fits after a first one; Cogwork's from the submission until the job has SUCCEEDED with its model registered, as a user waits: the first job of
each spec (which also loads and compiles its code in a runtime just started) and the median of the next REPEAT jobs
(default 3) of the same spec, on which the aim is judged: a running Cogwork has loaded and compiled its code long before.

Usage: quality_bench.py PORT AUTH_HEADER DATA_DIR SHARED_DATA   (SETS="credit concrete imdb2k imdb10k",
FAMILIES="logistic,linear,boosting,forest,tfidf-logistic,floor" filter what runs; REPEAT=3 jobs after the first;
floor: on the tabular sets, a job of one one-split tree without pipeline, what any job costs beyond its fit)
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

PORT, AUTH, DATA_DIR, SHARED = sys.argv[1:5]
SEED = 42
REPEAT = int(os.environ.get("REPEAT", "3"))  # timed fits and jobs after a first one; their median counts


def median(xs):
    return sorted(xs)[len(xs) // 2]

# Each data set: file, target, task, text column (if any).
SETS = {
    "credit": ("credit_data.csv", "Status", "classification", None),
    "concrete": ("concrete.csv", "compressive_strength", "regression", None),
    "imdb2k": ("imdb_reviews_2k.csv", "sentiment", "classification", "review"),
    "imdb10k": ("imdb_reviews_10k.csv", "sentiment", "classification", "review"),
}

TABULAR_PIPELINE = [{"transform": "impute", "params": {"strategy": "median", "indicator": True}},
                    {"transform": "onehot"}, {"transform": "standardize"}]
TFIDF = {"transform": "tfidf", "params": {"ngrams": 2, "minDf": 2, "maxFeatures": 50000}}


def tabular(x):
    """scikit-learn's preprocessing matching Cogwork's tabular pipeline: median imputation with indicators and
    scaling for numbers, most-frequent imputation and one-hot for strings."""
    num = [c for c in x.columns if x[c].dtype.kind in "if"]
    cat = [c for c in x.columns if c not in num]
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat)])


def ordinal(x):
    """For histogram gradient boosting: numbers as they are (NaN handled natively), strings as ordinal codes."""
    num = [c for c in x.columns if x[c].dtype.kind in "if"]
    cat = [c for c in x.columns if c not in num]
    return ColumnTransformer([("num", "passthrough", num),
                              ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), cat)])


def families(name, task, text):
    """(family, scikit-learn estimator factory, Cogwork spec fields) for one data set."""
    if text:
        tfidf_logistic = lambda x: make_pipeline(
            ColumnTransformer([("t", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=50000, sublinear_tf=True,
                                                     stop_words="english"), text)]),
            LogisticRegression(max_iter=1000))
        return [("tfidf-logistic", tfidf_logistic,
                 {"features": [text], "pipeline": [TFIDF], "engine": "tribuo", "algorithm": "liblinear-logistic"}),
                ("tfidf-logistic", tfidf_logistic,
                 {"features": [text], "pipeline": [TFIDF], "engine": "tribuo", "algorithm": "logistic"})]
    if task == "classification":
        logistic = lambda x: make_pipeline(tabular(x), LogisticRegression(max_iter=1000))
        return [
            ("logistic", logistic, {"pipeline": TABULAR_PIPELINE, "engine": "tribuo", "algorithm": "liblinear-logistic"}),
            ("logistic", logistic, {"pipeline": TABULAR_PIPELINE, "engine": "tribuo", "algorithm": "logistic"}),
            ("boosting", lambda x: make_pipeline(ordinal(x), HistGradientBoostingClassifier(random_state=SEED)),
             {"engine": "xgboost", "algorithm": "gbtree"}),  # missing values and categories: the engine takes them itself
            ("forest", lambda x: make_pipeline(tabular(x), RandomForestClassifier(n_estimators=200, random_state=SEED)),
             {"pipeline": TABULAR_PIPELINE, "engine": "tribuo", "algorithm": "random-forest",
              "hyperparameters": {"numTrees": 200}}),
            ("forest", lambda x: make_pipeline(tabular(x), RandomForestClassifier(n_estimators=200, random_state=SEED)),
             {"engine": "xgboost", "algorithm": "random-forest"}),  # 200 trees by default
        ]
    return [
        ("linear", lambda x: make_pipeline(tabular(x), LinearRegression()),
         {"pipeline": TABULAR_PIPELINE, "engine": "tribuo", "algorithm": "linear"}),
        ("boosting", lambda x: make_pipeline(ordinal(x), HistGradientBoostingRegressor(random_state=SEED)),
         {"engine": "xgboost", "algorithm": "gbtree"}),  # missing values and categories: the engine takes them itself
        ("forest", lambda x: make_pipeline(tabular(x), RandomForestRegressor(n_estimators=200, random_state=SEED)),
         {"pipeline": TABULAR_PIPELINE, "engine": "tribuo", "algorithm": "random-forest",
          "hyperparameters": {"numTrees": 200}}),
        ("forest", lambda x: make_pipeline(tabular(x), RandomForestRegressor(n_estimators=200, random_state=SEED)),
         {"engine": "xgboost", "algorithm": "random-forest"}),
    ]


def call(method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (PORT, path), method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def cogwork(set_name, family, spec, target, timeout=1800):
    """Submits, waits, and returns (test metric dict, seconds from submission to SUCCEEDED, seconds the job spent
    fitting its pipeline and training its model, as its provenance records them, error text or None)."""
    body = dict(spec)
    body.update({"source": "quality", "dataset": set_name + "_train.csv", "target": target,
                 "test": {"dataset": set_name + "_test.csv"}, "seed": SEED,
                 "register": {"model": "quality-%s-%s" % (set_name, family)}})
    t0 = time.time()
    status, job = call("POST", "/api/trainings", body)
    if status != 201 and status != 202 and status != 200:
        return None, None, None, "%s %s" % (status, job.get("error", job))
    while True:
        # one call that answers when the job ends (or after 30 s): no polling load on the server while it trains
        _, job = call("GET", "/api/trainings/%s?waitSeconds=30" % job["id"])
        if job["status"] not in ("QUEUED", "RUNNING", "PENDING"):
            break
        if time.time() - t0 > timeout:
            call("POST", "/api/trainings/%s/cancel" % job["id"])
            return None, None, None, "timed out after %d s" % timeout
    seconds = time.time() - t0
    if job["status"] != "SUCCEEDED":
        return None, seconds, None, "%s: %s" % (job["status"], job.get("error", ""))
    phases = job["result"]["provenance"]["seconds"]
    return job["result"]["metrics"], seconds, phases["pipeline"] + phases["train"], None


# What any job costs beyond its fit on a tabular set: a forest of one one-split tree, no pipeline (reading the train
# and test files, the tracked run, evaluating, saving and registering the model, storing the job).
FLOOR = {"engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 1, "maxDepth": 1}}


def repeated(set_name, name, spec, target):
    """A first job of the spec, then REPEAT more: (test metrics of the last, the first's seconds, median seconds and
    median fit seconds of the REPEAT, error text or None; on an error the metrics and medians are None)."""
    _, first, _, error = cogwork(set_name, name, spec, target)
    metrics, times, fits = None, [], []
    for _ in range(0 if error else REPEAT):
        metrics, seconds, fit_seconds, error = cogwork(set_name, name, spec, target)
        if error:
            break
        times.append(seconds)
        fits.append(fit_seconds)
    if error:
        return None, first, None, None, error
    return metrics, first, median(times) if times else None, median(fits) if fits else None, None


def floor(set_name, target):
    """(first job's seconds, median seconds of the next REPEAT, median of their fit seconds) of the FLOOR spec."""
    _, first, seconds, fit_seconds, error = repeated(set_name, "floor", FLOOR, target)
    if error:
        raise SystemExit("floor job failed on %s: %s" % (set_name, error))
    print("  done: %s floor" % set_name, file=sys.stderr, flush=True)
    return first, seconds, fit_seconds


def main():
    wanted_sets = os.environ.get("SETS", "credit concrete imdb2k imdb10k").split()
    wanted_families = set(filter(None, os.environ.get("FAMILIES", "").split(",")))
    _, engines = call("GET", "/api/engines")
    installed = {e["name"] for e in (engines if isinstance(engines, list) else engines.get("engines", []))}
    rows = []
    floors = {}
    for set_name in wanted_sets:
        file, target, task, text = SETS[set_name]
        data = pd.read_csv(os.path.join(SHARED, file))
        if "id" in data.columns:
            data = data.drop(columns=["id"])
        train, test = train_test_split(data, test_size=0.2, random_state=SEED,
                                       stratify=data[target] if task == "classification" else None)
        train.to_csv(os.path.join(DATA_DIR, set_name + "_train.csv"), index=False)
        test.to_csv(os.path.join(DATA_DIR, set_name + "_test.csv"), index=False)
        xtr, ytr, xte, yte = train.drop(columns=[target]), train[target], test.drop(columns=[target]), test[target]
        fitted = {}
        for family, make, spec in families(set_name, task, text):
            if wanted_families and family not in wanted_families:
                continue
            if family not in fitted:  # scikit-learn fits each family once; Cogwork may run several algorithms of it
                fits = []
                for _ in range(1 + REPEAT):  # as Cogwork's (below): the median after the first
                    model = make(xtr)
                    t0 = time.time()
                    model.fit(xtr, ytr)
                    fits.append(time.time() - t0)
                fit = median(fits[1:])
                pred = model.predict(xte)
                fitted[family] = (accuracy_score(yte, pred) if task == "classification"
                                  else float(np.sqrt(mean_squared_error(yte, pred))), fit)
            sk, fit = fitted[family]
            label = "%s: %s %s" % (family, spec["engine"], spec["algorithm"])
            if spec["engine"] not in installed:
                rows.append((set_name, label, task, sk, fit, None, None, "engine %s not installed" % spec["engine"], None, None))
                continue
            # the first job of a spec also pays for loading and compiling its code in a runtime just started (a running
            # Cogwork has done that long before); the median of the next REPEAT jobs is the time the aim is judged on
            name = "%s-%s" % (family, spec["algorithm"])
            metrics, first, seconds, cw_fit, error = repeated(set_name, name, spec, target)
            cw = None if metrics is None else metrics["accuracy" if task == "classification" else "rmse"]
            rows.append((set_name, label, task, sk, fit, cw, seconds, error, first, cw_fit))
            print("  done: %s %s" % (set_name, family), file=sys.stderr, flush=True)
        if not text and (not wanted_families or "floor" in wanted_families):
            floors[set_name] = floor(set_name, target)
    print()
    print("%-9s %-38s %-9s %9s %9s %9s %9s %9s %9s %8s %9s %8s" % ("set", "family", "metric", "sklearn", "fit s", "Cogwork",
                                                                   "first s", "s", "delta", "time x", "its fit s", "fit x"))
    for set_name in wanted_sets:
        mine = [r for r in rows if r[0] == set_name]
        if not mine:
            continue
        classification = mine[0][2] == "classification"
        metric = "accuracy" if classification else "RMSE"
        better = max if classification else min
        for s, family, task, sk, fit, cw, seconds, error, first, cw_fit in mine:
            if cw is None:
                print("%-9s %-38s %-9s %9.4f %9.3f %9s %9s %9s %9s %8s  %s" % (s, family, metric, sk, fit, "-",
                      "-" if first is None else "%.1f" % first, "-" if seconds is None else "%.1f" % seconds, "", "", error))
                continue
            # against the same family: accuracy points, or RMSE in per cent
            delta = (cw - sk) * 100 if classification else (cw - sk) / sk * 100
            print("%-9s %-38s %-9s %9.4f %9.3f %9.4f %9.3f %9.3f %+7.1f%-2s %7.1fx %9.3f %7.1fx  time %s" % (
                s, family, metric, sk, fit, cw, first, seconds, delta, "pt" if classification else "%", seconds / fit,
                cw_fit, cw_fit / fit, "ok" if seconds <= 2 * fit else "MISSED (aim 2x)"))
        sk_best = better(mine, key=lambda r: r[3])
        done = [r for r in mine if r[5] is not None]
        if done:
            cw_best = better(done, key=lambda r: r[5])
            gap = (cw_best[5] - sk_best[3]) * 100 if classification else (cw_best[5] - sk_best[3]) / sk_best[3] * 100
            ok = gap >= -1.0 if classification else gap <= 5.0
            print("%-9s best: scikit-learn %.4f (%s), Cogwork %.4f (%s): %+.1f%s, quality %s" % (
                set_name, sk_best[3], sk_best[1].split(":")[0], cw_best[5], cw_best[1], gap, " points" if classification else " %",
                "ok" if ok else "MISSED (aim: within 1 point / 5 %)"))
    for set_name, (first, seconds, fit_seconds) in floors.items():
        print("%-9s floor: a job that learns next to nothing on the same files (%s): %.3f s to registered (first %.3f s), "
              "its fit %.3f s" % (set_name, FLOOR["algorithm"] + " " + json.dumps(FLOOR["hyperparameters"]), seconds, first,
                                 fit_seconds))
    print("\ndelta: Cogwork against scikit-learn's same family (accuracy points; RMSE in %); s: submission to registered "
          "model, the median of REPEAT (default 3) jobs of the same spec after the first (first s: the first, which also loads "
          "and compiles its code); time x: "
          "s over scikit-learn's fit of the same family (the median of REPEAT fits after the first; aim <= 2x); its fit s: "
          "the part of s the job spent fitting its pipeline and training its model (provenance.seconds pipeline + train, "
          "the median over the same jobs), what scikit-learn's fit s covers; fit x: its fit s over scikit-learn's fit s.")

if __name__ == "__main__":
    main()
