#!/usr/bin/env bash
# Registry benchmark: metric logging throughput (single logMetric calls and logBatch of 1000) and run search
# latency (filter + order on a metric) with 100,000 logged metrics over 1,000 runs, on embedded H2 and PostgreSQL
# (127.0.0.1:5432/test; skipped with a message when absent); then the prediction log's append rate in the same store,
# as migrated and without its (model_name, at_time) index (the ratio is what that index costs each logged request).
# Usage: bench/registry-bench.sh   (SINGLE=n for another number of single logMetric calls; default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench -am
exec java -Dsingle="${SINGLE:-5000}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.RegistryBench
