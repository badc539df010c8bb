#!/usr/bin/env bash
# Runtime benchmark: cold start to /health UP, idle RSS, and hot-deploy latency (jar copied -> engine listed).
# Usage: bench/runtime-bench.sh [runs]   (after ./mvnw package; uses launcher/target/cogwork)
# Prints min / median / max over the runs. Each run uses a fresh home (a copy of the distribution).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dist=launcher/target/cogwork
engine=engines/baseline/target/org.cogwork.engine.baseline-0.1.0-SNAPSHOT.jar
[ -d "$dist/system" ] || { echo "no distribution at $dist: run ./mvnw -DskipTests package first" >&2; exit 1; }
[ -f "$engine" ] || { echo "no engine bundle at $engine: run ./mvnw -DskipTests package first" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
stats() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "min %s  median %s  max %s\n", a[1], m, a[NR]}'; }

start_ms=(); rss_mb=(); deploy_ms=()
for i in $(seq 1 "$runs"); do
  home=$(mktemp -d)/cogwork
  cp -r "$dist" "$home"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
  t0=$(now_ms)
  COGWORK_ADMIN_PASSWORD=bench-admin-pw sh "$home/bin/cogwork" run --port "$port" >"$home/bench.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$pid" 2>/dev/null || { cat "$home/bench.log"; exit 1; }
    sleep 0.01
  done
  t1=$(now_ms); start_ms+=($((t1 - t0)))
  sleep 5
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status"); rss_mb+=($((rss_kb / 1024)))
  t2=$(now_ms)
  cp "$engine" "$home/deploy/"
  until curl -sf -u admin:bench-admin-pw "http://127.0.0.1:$port/api/engines" | grep -q '"baseline"'; do sleep 0.01; done
  t3=$(now_ms); deploy_ms+=($((t3 - t2)))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$(dirname "$home")"
  echo "run $i: start ${start_ms[-1]} ms, idle RSS ${rss_mb[-1]} MB, hot deploy ${deploy_ms[-1]} ms"
done
echo "Cold start to /health UP (ms): $(printf '%s\n' "${start_ms[@]}" | stats)"
echo "Idle RSS after 5 s (MB):       $(printf '%s\n' "${rss_mb[@]}" | stats)"
echo "Hot deploy to /api/engines (ms): $(printf '%s\n' "${deploy_ms[@]}" | stats)"
echo "($runs runs, $(nproc) cores, $(java -version 2>&1 | head -1))"
