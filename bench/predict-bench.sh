#!/usr/bin/env bash
# In-process predict time of every tabular model (Tribuo logistic, liblinear-logistic, CART, random forest of 200
# trees, XGBoost; linear, forest and XGBoost regression), through the engine API as serving calls it, beside the
# library's own predict of the same model in the same run. Usage: bench/predict-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests install -pl bench -am
exec java -Djava.util.logging.config.file=bench/logging.properties -Xmx2g -Dcogwork.data="$PWD/../shared/data" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.cogwork.bench.PredictBench
