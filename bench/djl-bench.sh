#!/usr/bin/env bash
# DJL benchmark: the MLP 784-256-10 on fashion_mnist_test_5k.csv (5 epochs, batch 128).
#  1. in one plain JVM: Cogwork's engine SPI vs plain DJL code (DJL's Trainer and Adam, the same batches):
#     training samples/s, inference latency for 1 and 100 rows, RSS;
#  2. inside the OSGi runtime (the assembled distribution): the same training submitted over REST, with the
#     engine's own samples/s from the model provenance, and the runtime's RSS before and after PyTorch loads.
# Usage: bench/djl-bench.sh   (RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench,launcher -am
data="$PWD/../shared/data"
java -Xmx2g -Druns="${RUNS:-3}" -Dcogwork.data="$data" -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.DjlBench

home=$(mktemp -d)
cp -r launcher/target/cogwork/. "$home"
port=18080
"$home/bin/cogwork" run --port $port > "$home/bench.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.5; done
jvm=$(pgrep -f "cogwork.dist=$home" | head -1)
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$jvm/status"; }
echo "runtime: idle RSS $(rss) MB"
curl -sf -H 'Content-Type: application/json' "localhost:$port/api/sources" \
  -d '{"id": "data", "kind": "file", "config": {"path": "'"$data"'/fashion_mnist_test_5k.csv"}}' >/dev/null
spec='{"source": "data", "dataset": "fashion_mnist_test_5k.csv", "target": "label_name",
  "features": ['"$(head -1 "$data/fashion_mnist_test_5k.csv" | tr ',' '\n' | grep '^px' | sed 's/.*/"&"/' | paste -sd,)"'],
  "engine": "djl", "algorithm": "mlp", "seed": 42,
  "hyperparameters": {"hidden": [256], "epochs": 5, "batchSize": 128, "learningRate": 0.001, "standardize": false}}'
for run in $(seq 0 "${RUNS:-3}"); do
  id=$(curl -sf -H 'Content-Type: application/json' "localhost:$port/api/trainings" -d "$spec" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
  while true; do
    job=$(curl -sf "localhost:$port/api/trainings/$id")
    status=$(echo "$job" | python3 -c 'import sys,json; print(json.load(sys.stdin)["status"])')
    [ "$status" = QUEUED ] || [ "$status" = RUNNING ] || break
    sleep 0.5
  done
  rate=$(echo "$job" | python3 -c 'import sys,json; d=json.load(sys.stdin); print(d["result"]["provenance"]["model"]["samplesPerSecond"] if d["status"]=="SUCCEEDED" else d)')
  [ "$run" = 0 ] && echo "runtime: warm-up training $rate samples/s" || echo "runtime: training (OSGi, engine loop) $rate samples/s"
done
echo "runtime: RSS after PyTorch loaded and $(( ${RUNS:-3} + 1 )) trainings $(rss) MB"
