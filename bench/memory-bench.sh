#!/usr/bin/env bash
# Memory benchmark: RSS of the distribution, on its default settings, over 50 mixed trainings submitted one after
# the other over REST, as a new user would: IMDB 10k TF-IDF + logistic, credit random forest (100 trees) and
# logistic, concrete random-forest regression (100 trees), DJL MLPs on credit and on Fashion-MNIST 5k images, taken
# in turn. Each training registers its model (alias production) and predicts one row with it, so the serving cache
# fills as it does in use. Prints the RSS after every training, the peak, the RSS after a forced full GC at the end,
# and as the reference the RSS of the same runtime idle right after start and after its first training; then the
# live heap's largest classes. About 8 minutes on 2 quiet cores.
# Usage: bench/memory-bench.sh   (after ./mvnw -q -DskipTests package; uses launcher/target/cogwork)
#   TRAININGS=n for another number of trainings (default 50); COGWORK_HEAP, JAVA_OPTS and MALLOC_ARENA_MAX as for
#   bin/cogwork; KEEP=1 keeps the home (logs, database) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=launcher/target/cogwork
data="$PWD/../shared/data"
trainings=${TRAININGS:-50}
[ -d "$dist/system" ] || { echo "no distribution at $dist: run ./mvnw -q -DskipTests package first" >&2; exit 1; }
[ -f "$data/imdb_reviews_10k.csv" ] || { echo "no data sets at $data" >&2; exit 1; }
for tool in curl python3 jcmd; do command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done

home=$(mktemp -d)/cogwork
cp -r "$dist" "$home"
printf 'data.roots=data/files,%s\n' "$data" >> "$home/config/org.cogwork.runtime.cfg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pw=bench-admin-$RANDOM-$RANDOM
COGWORK_ADMIN_PASSWORD=$pw sh "$home/bin/cogwork" run --port "$port" >"$home/bench.log" 2>&1 &
pid=$! # bin/cogwork execs java: this is the JVM
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "home kept: $home" || rm -rf "$(dirname "$home")"; }
trap cleanup EXIT
until curl -sf "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"UP"'; do
  kill -0 "$pid" 2>/dev/null || { cat "$home/bench.log"; exit 1; }
  sleep 0.2
done
api=(-sf -u "admin:$pw" -H 'Content-Type: application/json')
url="http://127.0.0.1:$port"
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
sleep 5
idle=$(rss)
echo "idle RSS 5 s after start: $idle MB"
until curl "${api[@]}" "$url/api/sources" -d '{"id": "data", "kind": "file", "config": {"path": "'"$data"'"}}' >/dev/null; do sleep 0.2; done

# The mix: one spec and one row to predict per kind, taken in turn.
credit_row='{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no", "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}'
credit_pipeline='[{"transform": "impute", "params": {"strategy": "median"}}, {"transform": "onehot"}, {"transform": "standardize"}]'
pixels=$(head -1 "$data/fashion_mnist_test_5k.csv" | tr ',' '\n' | grep '^px' | sed 's/.*/"&"/' | paste -sd,)
image_row=$(python3 -c 'import csv,json,sys; r=csv.DictReader(open(sys.argv[1])); row=next(r); print(json.dumps({k: int(v) for k, v in row.items() if k.startswith("px")}))' "$data/fashion_mnist_test_5k.csv")
kinds=(imdb-tfidf-logistic credit-forest credit-logistic concrete-forest credit-djl-mlp fashion-djl-mlp)
spec_of() {
  case $1 in
    imdb-tfidf-logistic) echo '"dataset": "imdb_reviews_10k.csv", "target": "sentiment", "features": ["review"],
      "pipeline": [{"transform": "tfidf", "params": {"maxFeatures": 20000, "minDf": 2}}],
      "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 5}' ;;
    credit-forest) echo '"dataset": "credit_data.csv", "target": "Status", "pipeline": '"$credit_pipeline"',
      "engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 100}' ;;
    credit-logistic) echo '"dataset": "credit_data.csv", "target": "Status", "pipeline": '"$credit_pipeline"',
      "engine": "tribuo", "algorithm": "logistic"' ;;
    concrete-forest) echo '"dataset": "concrete.csv", "target": "compressive_strength",
      "engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 100}' ;;
    credit-djl-mlp) echo '"dataset": "credit_data.csv", "target": "Status", "pipeline": '"$credit_pipeline"',
      "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [32], "epochs": 12}' ;;
    fashion-djl-mlp) echo '"dataset": "fashion_mnist_test_5k.csv", "target": "label_name", "features": ['"$pixels"'],
      "pipeline": [{"transform": "vector", "params": {"prefix": "px", "name": "image"}}],
      "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [128], "epochs": 5, "batchSize": 128}' ;;
  esac
}
row_of() {
  case $1 in
    imdb-tfidf-logistic) echo '{"review": "A slow start, but the last hour is wonderful: great acting and a moving story."}' ;;
    fashion-djl-mlp) echo "$image_row" ;;
    concrete-forest) echo '{"cement": 540, "blast_furnace_slag": 0, "fly_ash": 0, "water": 162, "superplasticizer": 2.5, "coarse_aggregate": 1040, "fine_aggregate": 676, "age": 28}' ;;
    *) echo "$credit_row" ;;
  esac
}

series=(); peak=0; after_first=
t0=$(date +%s)
for i in $(seq 1 "$trainings"); do
  kind=${kinds[$(( (i - 1) % ${#kinds[@]} ))]}
  s=$(date +%s)
  id=$(curl "${api[@]}" "$url/api/trainings" -d '{"source": "data", '"$(spec_of "$kind")"', "seed": '"$i"',
    "register": {"model": "mem-'"$kind"'", "alias": "production"}}' | json 'd["id"]')
  # poll gently (every second): the benchmark must not take CPU from the training it measures
  job=$(curl "${api[@]}" "$url/api/trainings/$id")
  while [[ "$job" =~ \"status\"\ *:\ *\"(QUEUED|RUNNING)\" ]]; do sleep 1; job=$(curl "${api[@]}" "$url/api/trainings/$id"); done
  status=$(echo "$job" | json 'd["status"] if d["status"] == "SUCCEEDED" else d["status"] + ": " + str(d.get("error"))')
  [ "$status" = SUCCEEDED ] || { echo "training $i ($kind) ended $status" >&2; exit 1; }
  predicted=$(curl "${api[@]}" "$url/api/models/mem-$kind/predict" -d '{"rows": ['"$(row_of "$kind")"']}' \
    | json 'd["predictions"][0]["value"]')
  mb=$(rss); series+=("$mb"); [ "$mb" -gt "$peak" ] && peak=$mb
  [ -n "$after_first" ] || after_first=$mb
  printf '%2d %-20s %4d s  predicted %-10s RSS %5d MB\n' "$i" "$kind" $(( $(date +%s) - s )) "$predicted" "$mb"
done
elapsed=$(( $(date +%s) - t0 ))
jcmd "$pid" GC.run >/dev/null
sleep 2
gc=$(rss)
heap=$(jcmd "$pid" GC.heap_info | grep -E 'generation|garbage-first heap|Metaspace' | sed -E 's/^ +//; s/ *\[.*//' | paste -sd';')
echo
echo "RSS series (MB): ${series[*]}"
echo "idle after start: $idle MB; after the first training: $after_first MB"
echo "after $trainings trainings: ${series[-1]} MB (x$(python3 -c "print(round(${series[-1]}/$idle, 2))") idle); peak $peak MB; after a full GC: $gc MB"
echo "heap after the GC: $heap"
echo "$trainings trainings in $elapsed s ($(nproc) cores, $(java -version 2>&1 | head -1), JAVA_OPTS='${JAVA_OPTS:-}')"
echo "largest live classes after the GC:"
jcmd "$pid" GC.class_histogram | sed -n '3,15p'
