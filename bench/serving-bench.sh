#!/usr/bin/env bash
# Serving benchmark: starts the distribution in a temporary home, trains and registers a Tribuo logistic model
# on credit_data.csv (alias production), then measures single-row and 100-row predictions over HTTP (1 and 4
# client threads) and the same call in-process. Usage: bench/serving-bench.sh   (SECONDS_PER=10 CLIENTS=4;
# ENGINE=djl serves a DJL multilayer perceptron instead, through the same predict API)
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
  '"$( [ "${ENGINE:-tribuo}" = djl ] && echo '"engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [32], "epochs": 12}' \
      || echo '"engine": "tribuo", "algorithm": "logistic"' )"', "seed": 42, "register": {"model": "credit-risk", "alias": "production"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
until curl -sf "http://127.0.0.1:$port/api/trainings/$job" | grep -q '"SUCCEEDED"'; do sleep 0.2; done
java -Djava.util.logging.config.file=bench/logging.properties -Dmodel.label="$( [ "${ENGINE:-tribuo}" = djl ] && echo 'DJL MLP 32' || echo 'Tribuo logistic' )" -Dseconds="${SECONDS_PER:-10}" -Dclients="${CLIENTS:-4}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.ServingBench "$port" "$job"
# wrk (Debian package) is the load generator whose figures count: keep-alive HTTP/1.1, no client-side overhead
if command -v wrk >/dev/null; then
  row='{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no", "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}'
  rows=$(python3 -c "import sys; r=sys.argv[1]; print(','.join([r]*100))" "$row")
  for spec in "1 1 $row" "4 1 $row" "1 100 $rows"; do
    set -- $spec; conns=$1; n=$2
    body=$( [ "$n" = 1 ] && echo "{\"rows\": [$row]}" || echo "{\"rows\": [$rows]}" )
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$home/post.lua"
    echo "wrk: $n row(s), $conns connection(s), ${SECONDS_PER:-10} s"
    wrk -t"$conns" -c"$conns" -d"${SECONDS_PER:-10}s" -s "$home/post.lua" --latency \
      "http://127.0.0.1:$port/api/models/credit-risk/predict" | grep -E "Requests/sec| 50%| 90%| 99%|Non-2xx|Socket errors"
  done
else
  echo "(install Debian's wrk for the HTTP figures that count: apt-get install wrk)"
fi
curl -sf "http://127.0.0.1:$port/api/serving" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("prediction log:", d["log"]); print("server-side:", d["versions"])'
