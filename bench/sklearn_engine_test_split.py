"""scikit-learn on the seeded 80/20 splits the engine tests make (XgboostEngineTest.split: java.util.Random(42) and
Collections.shuffle, the first round(0.8 n) rows for training), so their floors can be checked: RandomForest (200
trees, seeds 42 and 7) on credit_data.csv and concrete.csv through the quality bench's tabular preprocessing, and
HistGradientBoosting on credit. Run from the repository: /usr/bin/python3 bench/sklearn_engine_test_split.py
"""
import os, sys, numpy as np, pandas as pd
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "")
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, OneHotEncoder
def tabular(x):
    num = [c for c in x.columns if x[c].dtype.kind in "if"]
    cat = [c for c in x.columns if c not in num]
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat)])
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import make_pipeline
M=(1<<48)-1
class JRandom:
    def __init__(s, seed): s.seed=(seed ^ 0x5DEECE66D) & M
    def next(s, bits):
        s.seed=(s.seed*0x5DEECE66D + 0xB) & M
        r = s.seed >> (48-bits)
        if r >= 1<<31: r -= 1<<32
        return r
    def nextInt(s, bound):
        if bound & -bound == bound: return (bound * s.next(31)) >> 31
        while True:
            bits=s.next(31); val=bits % bound
            if bits - val + (bound-1) < (1<<31): return val
def split(df, seed=42):
    idx=list(range(len(df))); r=JRandom(seed)
    for i in range(len(idx)-1, 0, -1):
        j=r.nextInt(i+1); idx[i], idx[j] = idx[j], idx[i]
    n=int(round(len(idx)*0.8)); n=int(np.floor(len(idx)*0.8+0.5))
    return df.iloc[idx[:n]], df.iloc[idx[n:]]
for f, target, cls in [("credit_data.csv","Status",True),("concrete.csv","compressive_strength",False)]:
    df=pd.read_csv(DATA + f)
    tr, te = split(df)
    x, y = tr.drop(columns=[target]), tr[target]
    for seed in (42, 7):
        est = RandomForestClassifier(n_estimators=200, random_state=seed) if cls else RandomForestRegressor(n_estimators=200, random_state=seed)
        m = make_pipeline(tabular(x), est).fit(x, y)
        p = m.predict(te.drop(columns=[target]))
        if cls: print(f, "seed", seed, "accuracy %.4f" % (p == te[target].values).mean())
        else: print(f, "seed", seed, "rmse %.3f" % np.sqrt(((p - te[target].values)**2).mean()))
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import OrdinalEncoder
df=pd.read_csv(DATA + "credit_data.csv"); tr, te = split(df)
x=tr.drop(columns=["Status"]); num=[c for c in x.columns if x[c].dtype.kind in "if"]; cat=[c for c in x.columns if c not in num]
ct=ColumnTransformer([("num","passthrough",num),("cat",OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),cat)])
m=make_pipeline(ct, HistGradientBoostingClassifier(random_state=42)).fit(x, tr["Status"])
print("credit_data.csv HistGradientBoosting accuracy %.4f" % (m.predict(te.drop(columns=["Status"]))== te["Status"].values).mean())
