#!/usr/bin/env bash
# Serving benchmark: starts the distribution in a temporary home, trains and registers a Tribuo logistic model
# on credit_data.csv (alias production), then measures single-row and 100-row predictions over HTTP (1 and 4
# client threads) and the same call in-process, then with wrk against the floor (see below), including 16 connections
# with dynamic batching on (MAX_BATCH=32 MAX_DELAY_MICROS=0). Usage: bench/serving-bench.sh
# (SECONDS_PER=10 CLIENTS=4; ENGINE=djl serves a DJL multilayer perceptron instead, through the same predict API;
# DJL_HIDDEN="[256, 256]" its hidden layers (default [32]); SKIP_CLIENT=1 leaves out the Java client part; SCENARIOS="16 1 off;16 1 on" runs only those wrk rows:
# connections, rows per request, batching; JAVA_OPTS is passed to the server, e.g. JAVA_OPTS="-XX:+UseZGC -Xshare:auto";
# issue 19's batching aim, on a network whose calls are dominated by reading its weights (README, "Dynamic batching"):
# OMP_NUM_THREADS=1 ENGINE=djl DJL_HIDDEN="[2048, 2048, 2048]" MAX_BATCH=16 MAX_DELAY_MICROS=4000 CONCURRENT_BATCHES=1 SKIP_CLIENT=1
#   SCENARIOS="16 1 off;16 1 on;16 1 off;16 1 on;16 1 off;16 1 on" (each batched row is compared with the unbatched row before it);
# STORE_URL/STORE_USER: a PostgreSQL metadata store instead of the embedded H2, see below)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench,launcher -am
home=$(mktemp -d)/cogwork
cp -r launcher/target/cogwork "$home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin_pw=bench-admin-$RANDOM-$RANDOM
# STORE_URL=jdbc:postgresql://127.0.0.1:5432/<db> STORE_USER=postgres puts the metadata store (and the prediction log) there
[ -z "${STORE_URL:-}" ] || printf 'url=%s\nuser=%s\n' "$STORE_URL" "${STORE_USER:-postgres}" > "$home/config/org.cogwork.persistence.cfg"
# the shared data sets are a data root before the runtime starts (added after, the source's first creations were
# refused, "outside the data roots", with ERROR lines in the log, until the runtime read the file again)
sed -i "s|^data.roots=data/files|data.roots=data/files,$PWD/../shared/data|" "$home/config/org.cogwork.runtime.cfg"
COGWORK_ADMIN_PASSWORD=$admin_pw sh "$home/bin/cogwork" run --port "$port" >"$home/bench.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$(dirname "$home")"' EXIT
until curl -sf "http://127.0.0.1:$port/health" | grep -q '"UP"'; do sleep 0.1; done
# every call is authenticated (there is no switch that turns it off): the admin sets up, an integrator token predicts
admin=(-u "admin:$admin_pw")
until curl -sf "${admin[@]}" -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/sources" \
  -d '{"id": "data", "kind": "file", "config": {"path": "'"$PWD/../shared/data"'"}}' >/dev/null; do sleep 0.2; done
token=$(curl -sf "${admin[@]}" -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/tokens" \
  -d '{"name": "bench-integrator", "role": "integrator"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
job=$(curl -sf "${admin[@]}" -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/trainings" -d '{
  "source": "data", "dataset": "credit_data.csv", "target": "Status",
  "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}}, {"transform": "standardize"}],
  '"$( [ "${ENGINE:-tribuo}" = djl ] && echo "\"engine\": \"djl\", \"algorithm\": \"mlp\", \"hyperparameters\": {\"hidden\": ${DJL_HIDDEN:-[32]}, \"epochs\": 12}" \
      || echo '"engine": "tribuo", "algorithm": "logistic"' )"', "seed": 42, "register": {"model": "credit-risk", "alias": "production"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
until curl -sf "${admin[@]}" "http://127.0.0.1:$port/api/trainings/$job" | grep -q '"SUCCEEDED"'; do sleep 0.2; done
[ -n "${SKIP_CLIENT:-}" ] || java -Djava.util.logging.config.file=bench/logging.properties -Dmodel.label="$( [ "${ENGINE:-tribuo}" = djl ] && echo "DJL MLP ${DJL_HIDDEN:-[32]}" || echo 'Tribuo logistic' )" -Dseconds="${SECONDS_PER:-10}" -Dclients="${CLIENTS:-4}" \
  -Dadmin.auth="Basic $(printf 'admin:%s' "$admin_pw" | base64)" -Dpredict.auth="Bearer $token" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.ServingBench "$port" "$job"
# wrk (Debian package) is the load generator whose figures count: keep-alive HTTP/1.1, no client-side overhead.
# The reference in the same run is the floor (FloorServer): a bare Jetty 12 handler that parses the same body with
# Jackson and answers with a reply of Cogwork's shape, no model; each scenario runs against Cogwork, then the floor.
if command -v wrk >/dev/null; then
  floor_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    org.cogwork.bench.FloorServer "$floor_port" >"$home/floor.log" 2>&1 &
  floor_pid=$!
  trap 'kill $pid $floor_pid 2>/dev/null; wait $pid $floor_pid 2>/dev/null || true; rm -rf "$(dirname "$home")"' EXIT
  until curl -s -o /dev/null "http://127.0.0.1:$floor_port/"; do sleep 0.1; done
  row='{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no", "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}'
  rows() { python3 -c "import sys; print(','.join([sys.argv[1]] * int(sys.argv[2])))" "$row" "$1"; } # the row, $1 times
  # prints "req/s p50_ms p99_ms non2xx" for one wrk run
  measure() { # url connections body-file
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$token" "$(cat "$3")" > "$home/post.lua"
    wrk -t"$(( $2 < 2 ? $2 : 2 ))" -c"$2" -d"${SECONDS_PER:-10}s" -s "$home/post.lua" --latency "$1" | python3 -c '
import re, sys
t = sys.stdin.read()
def ms(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1), ms(50), ms(99), bad.group(1) if bad else 0)'
  }
  # milliseconds from the end of a run until the prediction log has stored everything it journaled
  drained() {
    python3 - "$port" "${admin[1]}" <<'PY'
import base64, json, sys, time, urllib.request
port, auth = sys.argv[1], sys.argv[2]
req = urllib.request.Request("http://127.0.0.1:%s/api/serving" % port, headers={"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()})
t0 = time.time()
while json.load(urllib.request.urlopen(req))["log"]["queued"] > 0 and time.time() - t0 < 60:
    time.sleep(0.01)
print("%.0f" % ((time.time() - t0) * 1000))
PY
  }
  options() { # maxBatch maxDelayMicros [concurrentBatches]
    curl -sf "${admin[@]}" -X PUT -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/models/credit-risk/serving-options" \
      -d "{\"maxBatch\": $1, \"maxDelayMicros\": $2, \"concurrentBatches\": ${3:-null}}" >/dev/null
  }
  printf '\n%-34s %24s %24s %16s %13s\n' "wrk, ${SECONDS_PER:-10} s each" "Cogwork req/s p50 p99" "floor req/s p50 p99" "ratio req/s, p50" "log drained"
  unbatched16=
  # warm-up, not measured: the JIT compiles the request path (the first run after start was up to 2.6x slower), at 4
  # connections and at one (after the first alone, the first one-connection run was still 44 % of the floor against
  # 60-61 % in the runs after it)
  echo "{\"rows\": [$row]}" > "$home/body.json"
  for c in 4 1; do
    measure "http://127.0.0.1:$port/api/models/credit-risk/predict" $c "$home/body.json" >/dev/null
    measure "http://127.0.0.1:$floor_port/" $c "$home/body.json" >/dev/null
  done
  IFS=';' read -r -a specs <<<"${SCENARIOS:-1 1 off;16 1 off;1 100 off;16 1 on}"
  for spec in "${specs[@]}"; do
    set -- $spec; conns=$1; n=$2; batch=$3
    echo "{\"rows\": [$(rows "$n")]}" > "$home/body.json"
    [ "$batch" = on ] && options "${MAX_BATCH:-32}" "${MAX_DELAY_MICROS:-0}" "${CONCURRENT_BATCHES:-}"
    read -r c_rps c_p50 c_p99 c_bad <<<"$(measure "http://127.0.0.1:$port/api/models/credit-risk/predict" "$conns" "$home/body.json")"
    drain_ms=$(drained)
    [ "$batch" = on ] && options 1 0
    [ "$conns/$n/$batch" = "16/1/off" ] && unbatched16=$c_rps
    read -r f_rps f_p50 f_p99 f_bad <<<"$(measure "http://127.0.0.1:$floor_port/" "$conns" "$home/body.json")"
    python3 -c '
import sys
n, conns, batch, c_rps, c_p50, c_p99, c_bad, f_rps, f_p50, f_p99, drain, unbatched, seconds = sys.argv[1:14]
label = "%s row(s), %s conn(s)%s" % (n, conns, ", batched" if batch == "on" else "")
extra = "  (%s non-2xx from Cogwork)" % c_bad if c_bad != "0" else ""
# one connection answers one request at a time: its requests cannot take longer, together, than the run. At least 1 %
# of them took p99 or more and at least 49 % more took p50 or more; when that alone is longer than the run, the wrk
# percentiles cannot be the times of the requests (see the ApacheBench row)
if conns == "1":
    for who, rps, p50, p99 in (("Cogwork", c_rps, c_p50, c_p99), ("floor", f_rps, f_p50, f_p99)):
        total = float(rps) * float(seconds)
        bound = (0.01 * total * float(p99) + 0.49 * total * float(p50)) / 1000
        if bound > float(seconds):
            extra += "  (wrk %s p50/p99 imply >= %.1f s of requests in a %s s run: not per-request times)" % (who, bound, seconds)
if batch == "on" and unbatched:
    extra += "  batched/unbatched req/s %.2fx" % (float(c_rps) / float(unbatched))
print("%-34s %8.0f %6.3f %7.2f ms %8.0f %6.3f %7.2f ms   %5.1f%%  %5.1fx %9s ms%s" % (label, float(c_rps), float(c_p50), float(c_p99),
      float(f_rps), float(f_p50), float(f_p99), 100 * float(c_rps) / float(f_rps), float(c_p50) / float(f_p50), drain, extra))' \
      "$n" "$conns" "$batch" "$c_rps" "$c_p50" "$c_p99" "$c_bad" "$f_rps" "$f_p50" "$f_p99" "$drain_ms" "$unbatched16" "${SECONDS_PER:-10}"
  done
  # a second opinion on one connection: ApacheBench (Debian's apache2-utils) times every request itself, where wrk's
  # one-connection latency statistics are known to be off (wg/wrk #438, #114); its percentiles from -e, in ms
  if command -v ab >/dev/null; then
    ab_percentiles() { # url -> "p50 p99 slowest requests/s failed"
      ab -q -k -c 1 -t "${SECONDS_PER:-10}" -n 100000000 -p "$home/body.json" -T application/json -H "Authorization: Bearer $token" \
        -e "$home/ab.csv" "$1" > "$home/ab.txt" 2>&1 || true
      python3 - "$home/ab.csv" "$home/ab.txt" <<'PY'
import csv, re, sys
p = {int(float(r[0])): float(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
t = open(sys.argv[2]).read()
rps = re.search(r"Requests per second:\s+([\d.]+)", t)
failed = re.search(r"Failed requests:\s+(\d+)", t)
non2xx = re.search(r"Non-2xx responses:\s+(\d+)", t)
# ab counts a reply whose length differs from the first one's as failed (predictions differ in length): not an error
length = re.search(r"Receive:\s*\d+,\s*Length:\s*(\d+)", t)  # not "Document Length", printed before it
print(p[50], p[99], p[100], rps.group(1) if rps else 0,
      (int(failed.group(1)) if failed else 0) - (int(length.group(1)) if length else 0) + (int(non2xx.group(1)) if non2xx else 0))
PY
    }
    for n in 1 100; do
      echo "{\"rows\": [$(rows "$n")]}" > "$home/body.json"
      read -r a_p50 a_p99 a_max a_rps a_bad <<<"$(ab_percentiles "http://127.0.0.1:$port/api/models/credit-risk/predict")"
      read -r b_p50 b_p99 b_max b_rps b_bad <<<"$(ab_percentiles "http://127.0.0.1:$floor_port/")"
      printf '%-34s %8.0f %6.3f %7.2f ms %8.0f %6.3f %7.2f ms   %5.1f%%  %5.1fx  (slowest %s ms Cogwork, %s ms floor; %s failed/non-2xx)\n' \
        "$n row(s), 1 conn(s), ApacheBench" "$a_rps" "$a_p50" "$a_p99" "$b_rps" "$b_p50" "$b_p99" \
        "$(python3 -c "print(100 * $a_rps / $b_rps)")" "$(python3 -c "print($a_p50 / $b_p50)")" "$a_max" "$b_max" "$a_bad"
    done
  fi
else
  echo "(install Debian's wrk for the HTTP figures that count: apt-get install wrk)"
fi
# the JVM options are the launcher's defaults unless JAVA_OPTS is set (e.g. JAVA_OPTS="-XX:+UseZGC" to compare collectors)
awk '/^VmRSS|^RssAnon|^RssShmem/ {printf "%s %d MB  ", $1, $2 / 1024} END {print ""}' "/proc/$pid/status" | sed "s/^/server memory after the run (JAVA_OPTS=${JAVA_OPTS:-default}): /"
curl -sf "${admin[@]}" "http://127.0.0.1:$port/api/session/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("authentication per request, measured in the server over %d checks: p50 %s µs, p90 %s µs, p99 %s µs" % (d["checks"], d["p50Micros"], d["p90Micros"], d["p99Micros"]))'
curl -sf "${admin[@]}" "http://127.0.0.1:$port/api/serving" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("prediction log:", d["log"]); print("server-side:", d["versions"]); print("batching (since the last options change):", d.get("batching"))'
