#!/usr/bin/env bash
# DJL benchmark: the MLP 784-256-10 on fashion_mnist_test_5k.csv (10 epochs, batch 128).
#  1. in one plain JVM: Cogwork's engine SPI vs plain DJL code (DJL's Trainer and Adam, the same batches):
#     training samples/s, inference latency for 1 and 100 rows, RSS;
#  2. inside the OSGi runtime (the assembled distribution): the same training submitted over REST, with the
#     engine's own samples/s from the model provenance, and the runtime's RSS before and after PyTorch loads.
# Usage: bench/djl-bench.sh   (RUNS=9 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench,launcher -am
data="$PWD/../shared/data"
[ -n "${SKIP_INPROCESS:-}" ] || java -Xmx2g -Druns="${RUNS:-5}" -Dcogwork.data="$data" -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.DjlBench

home=$(mktemp -d)
cp -r launcher/target/cogwork/. "$home"
port=18080
printf 'data.roots=data/files,%s\n' "$data" >> "$home/config/org.cogwork.runtime.cfg"
export COGWORK_ADMIN_PASSWORD=bench-admin-$RANDOM-$RANDOM
JAVA_OPTS="${JAVA_OPTS:-}" "$home/bin/cogwork" run --port $port > "$home/bench.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.5; done
jvm=$(pgrep -f "cogwork.dist=$home" | head -1)
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$jvm/status"; }
echo "runtime: idle RSS $(rss) MB"
curl -sf -u "admin:$COGWORK_ADMIN_PASSWORD" -H 'Content-Type: application/json' "localhost:$port/api/sources" \
  -d '{"id": "data", "kind": "file", "config": {"path": "'"$data"'/fashion_mnist_test_5k.csv"}}' >/dev/null
curl -sf -u "admin:$COGWORK_ADMIN_PASSWORD" -H 'Content-Type: application/json' "localhost:$port/api/sources" \
  -d '{"id": "iris", "kind": "file", "config": {"path": "'"$data"'/sklearn_iris.csv"}}' >/dev/null
train() { # submits a spec, waits for the job, prints its JSON
  local id
  id=$(curl -sf -u "admin:$COGWORK_ADMIN_PASSWORD" -H 'Content-Type: application/json' "localhost:$port/api/trainings" -d "$1" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
  # poll gently (curl + grep, every second): the benchmark must not take CPU from the training it measures
  job=$(curl -sf -u "admin:$COGWORK_ADMIN_PASSWORD" "localhost:$port/api/trainings/$id")
  while [[ "$job" =~ \"status\"\ *:\ *\"(QUEUED|RUNNING)\" ]]; do sleep 1; job=$(curl -sf -u "admin:$COGWORK_ADMIN_PASSWORD" "localhost:$port/api/trainings/$id"); done
  echo "$job"
}
train '{"source": "iris", "dataset": "sklearn_iris.csv", "target": "species", "engine": "djl", "algorithm": "mlp",
  "hyperparameters": {"epochs": 1}}' >/dev/null
echo "runtime: RSS after PyTorch loaded (one iris training) $(rss) MB"
spec='{"source": "data", "dataset": "fashion_mnist_test_5k.csv", "target": "label_name",
  "features": ['"$(head -1 "$data/fashion_mnist_test_5k.csv" | tr ',' '\n' | grep '^px' | sed 's/.*/"&"/' | paste -sd,)"'],
  "engine": "djl", "algorithm": "mlp", "seed": 42,
  "hyperparameters": {"hidden": [256], "epochs": 10, "batchSize": 128, "learningRate": 0.001, "standardize": false}}'
for run in $(seq -1 "${RUNS:-5}"); do
  job=$(train "$spec")
  rate=$(echo "$job" | python3 -c 'import sys,json; d=json.load(sys.stdin); print(d["result"]["provenance"]["model"]["samplesPerSecond"] if d["status"]=="SUCCEEDED" else d["status"] + " " + str(d.get("error")))')
  if [ "$run" -le 0 ]; then echo "runtime: warm-up training $rate samples/s"; else echo "runtime: training (OSGi, engine loop) $rate samples/s"; fi
done
echo "runtime: RSS after $(( ${RUNS:-5} + 2 )) Fashion-MNIST trainings $(rss) MB"
