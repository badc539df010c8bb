#!/usr/bin/env bash
# Serving benchmark: starts the distribution in a temporary home, trains and registers a Tribuo logistic model
# on credit_data.csv (alias production), then measures single-row and 100-row predictions over HTTP (1 and 4
# client threads) and the same call in-process. Usage: bench/serving-bench.sh   (SECONDS_PER=10 CLIENTS=4)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench,launcher -am
home=$(mktemp -d)/cogwork
cp -r launcher/target/cogwork "$home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sh "$home/bin/cogwork" run --port "$port" >"$home/bench.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$(dirname "$home")"' EXIT
until curl -sf "http://127.0.0.1:$port/health" | grep -q '"UP"'; do sleep 0.1; done
curl -sf -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/sources" \
  -d '{"id": "data", "kind": "file", "config": {"path": "'"$PWD/../shared/data"'"}}' >/dev/null
job=$(curl -sf -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/trainings" -d '{
  "source": "data", "dataset": "credit_data.csv", "target": "Status",
  "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}}, {"transform": "standardize"}],
  "engine": "tribuo", "algorithm": "logistic", "seed": 42, "register": {"model": "credit-risk", "alias": "production"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
until curl -sf "http://127.0.0.1:$port/api/trainings/$job" | grep -q '"SUCCEEDED"'; do sleep 0.2; done
java -Djava.util.logging.config.file=bench/logging.properties -Dseconds="${SECONDS_PER:-10}" -Dclients="${CLIENTS:-4}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.ServingBench "$port" "$job"
curl -sf "http://127.0.0.1:$port/api/serving" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("prediction log:", d["log"])'
