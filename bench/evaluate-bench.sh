#!/usr/bin/env bash
# Evaluation benchmark: starts the distribution in a temporary home, trains and registers a TF-IDF + Tribuo logistic
# model on imdb_reviews_10k.csv, then scores that version on all 10,000 rows of the same file
#   (a) through POST /api/models/imdb/versions/1/evaluate (the server reads the CSV, streams it through the pipeline
#       and model, computes the metrics, confusion matrix and worst rows, records a run), and
#   (b) the reference, in the same invocation: the same rows sent to POST /api/models/imdb/predict?version=1 in
#       batches of BATCH rows (bodies built before the clock starts), accuracy computed by the client.
# Prints rows/s of each (median of RUNS) and their ratio. Usage: bench/evaluate-bench.sh   (RUNS=3 BATCH=500)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -o -DskipTests package -pl launcher -am
home=$(mktemp -d)/cogwork
cp -r launcher/target/cogwork "$home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin_pw=bench-admin-$RANDOM-$RANDOM
data="$(cd ../shared/data && pwd)"
sed -i "s|^data.roots=data/files|data.roots=data/files,$data|" "$home/config/org.cogwork.runtime.cfg"
COGWORK_ADMIN_PASSWORD=$admin_pw sh "$home/bin/cogwork" run --port "$port" >"$home/bench.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$(dirname "$home")"' EXIT
until curl -sf "http://127.0.0.1:$port/health" | grep -q '"UP"'; do sleep 0.2; done
admin=(-u "admin:$admin_pw" -H 'Content-Type: application/json')
base="http://127.0.0.1:$port"
until curl -sf "${admin[@]}" "$base/api/sources" -d '{"id": "data", "kind": "file", "config": {"path": "'"$data"'"}}' >/dev/null; do sleep 0.2; done
job=$(curl -sf "${admin[@]}" "$base/api/trainings" -d '{
  "source": "data", "dataset": "imdb_reviews_10k.csv", "target": "sentiment", "features": ["review"],
  "pipeline": [{"transform": "tfidf", "params": {"maxFeatures": 20000, "minDf": 2}}],
  "engine": "tribuo", "algorithm": "logistic", "seed": 42, "register": {"model": "imdb"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "training imdb_reviews_10k (TF-IDF + Tribuo logistic), job $job ..."
until curl -sf "${admin[@]}" "$base/api/trainings/$job" | grep -qE '"status":"(SUCCEEDED|FAILED|TIMED_OUT)"'; do sleep 1; done
curl -sf "${admin[@]}" "$base/api/trainings/$job" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["status"]=="SUCCEEDED", j.get("error"); print("trained: test accuracy %.4f" % j["result"]["metrics"]["accuracy"])'

BASE="$base" AUTH="admin:$admin_pw" DATA="$data" RUNS="${RUNS:-3}" BATCH="${BATCH:-500}" CPUS="$(nproc)" python3 - <<'EOF'
import base64, csv, json, os, statistics, sys, time, urllib.request
base, runs, batch = os.environ["BASE"], int(os.environ["RUNS"]), int(os.environ["BATCH"])
auth = "Basic " + base64.b64encode(os.environ["AUTH"].encode()).decode()
def post(path, body):
    req = urllib.request.Request(base + path, data=body, method="POST",
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.load(r)
csv.field_size_limit(10**8)
with open(os.path.join(os.environ["DATA"], "imdb_reviews_10k.csv"), newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
n = len(rows)
truth = [r["sentiment"] for r in rows]
bodies = [json.dumps({"rows": [{"review": r["review"]} for r in rows[i:i + batch]]}).encode() for i in range(0, n, batch)]
eval_body = json.dumps({"source": "data", "dataset": "imdb_reviews_10k.csv"}).encode()
post("/api/models/imdb/versions/1/evaluate", eval_body)                  # warm-up: model load, JIT
post("/api/models/imdb/predict?version=1", bodies[0])
ev, pr, server, acc_e, acc_p = [], [], [], None, None
for _ in range(runs):                                                      # interleaved, so load hits both alike
    t0 = time.perf_counter(); e = post("/api/models/imdb/versions/1/evaluate", eval_body); ev.append(time.perf_counter() - t0)
    server.append(e["seconds"]); acc_e = e["metrics"]["accuracy"]; assert e["rows"]["evaluated"] == n
    t0 = time.perf_counter(); preds = []
    for b in bodies:
        preds += [p["value"] for p in post("/api/models/imdb/predict?version=1", b)["predictions"]]
    acc_p = sum(p == t for p, t in zip(preds, truth)) / n; pr.append(time.perf_counter() - t0)
e_rate, p_rate = n / statistics.median(ev), n / statistics.median(pr)
print(f"rows: {n} (imdb_reviews_10k.csv, {os.path.getsize(os.path.join(os.environ['DATA'], 'imdb_reviews_10k.csv')):,} bytes); "
      f"runs: {runs}, interleaved; machine: {os.environ['CPUS']} cores")
print(f"evaluate endpoint:   median {statistics.median(ev):.2f} s  ({e_rate:,.0f} rows/s; server-side {statistics.median(server):.2f} s)"
      f"  accuracy {acc_e:.4f}  all: {', '.join(f'{x:.2f}' for x in ev)}")
print(f"predict API, {batch}/req: median {statistics.median(pr):.2f} s  ({p_rate:,.0f} rows/s)"
      f"  accuracy {acc_p:.4f}  all: {', '.join(f'{x:.2f}' for x in pr)}")
print(f"ratio evaluate / predict-in-batches: {e_rate / p_rate:.2f}x")
if abs(acc_e - acc_p) > 1e-12:
    sys.exit(f"the two accuracies differ: {acc_e} vs {acc_p}")
EOF
curl -sf "${admin[@]}" "$base/api/serving" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("prediction log (reference path only):", d["log"])'
