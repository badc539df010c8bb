#!/usr/bin/env bash
# Training benchmark: the same Tribuo logistic regression on the same split of credit_data.csv and
# imdb_reviews_10k.csv, trained through Cogwork's engine SPI and through plain Tribuo code; prints times,
# overhead and test accuracy. Usage: bench/training-bench.sh   (RUNS=5 for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench -am
exec java -Djava.util.logging.config.file=bench/logging.properties -Xmx2g -Druns="${RUNS:-3}" -Dcogwork.data="$PWD/../shared/data" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.TrainingBench
