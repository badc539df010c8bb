#!/usr/bin/env bash
# Connector benchmark: rows/s and peak heap for a full streaming read of imdb_reviews_10k.csv and
# credit_data.csv through the file connector, embedded H2, PostgreSQL and MariaDB (servers skipped when
# absent), then a 10-million-row read from PostgreSQL under a 128 MB heap cap.
# Usage: bench/connector-bench.sh   (RUNS=5 for more runs; SKIP10M=true to skip the 10M read)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench -am
exec java -Xmx128m -Druns="${RUNS:-3}" -Dskip10m="${SKIP10M:-false}" -Dcogwork.data="$PWD/../shared/data" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.ConnectorBench
