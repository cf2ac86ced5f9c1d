#!/usr/bin/env bash
# Descent on Spark against Spark MLlib's MultilayerPerceptronClassifier, the MLP a Spark user picks
# today, on MNIST on the same local Spark (local[N]: N executor threads for both). Prints for each:
# test accuracy, training time, time to 97 % test accuracy; then Spark's overhead against
# one-machine Descent for the same epochs, and Descent's scaling from 1 to N executors.
#
#   bench/spark-vs-mllib.sh [CORES] [MLLIB_MINUTES] [SYNC_EVERY] [EPOCHS]   (defaults: 2, 20, 8, 12)
#
# MLlib (in bench/mllib, apart from Descent's build) first trains with its defaults (maxIter 100) in
# one fit, then goes on in fits of 50 L-BFGS iterations, each from the last one's weights, up to 300,
# until its accuracy stops improving, or MLLIB_MINUTES of training. Give it native BLAS as Spark recommends (Debian's
# libopenblas0-pthread provides libblas.so.3; this script installs nothing), one BLAS thread per task.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
descent_find_jdk
descent_require_maven
cores="${1:-2}"
minutes="${2:-20}"
k="${3:-8}"
epochs="${4:-12}"
out="$root/bench/out/spark-vs-mllib"
rm -rf "$out" && mkdir -p "$out"

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, vector width: $(
  grep -qw avx512f /proc/cpuinfo && echo AVX-512 || (grep -qw avx2 /proc/cpuinfo && echo AVX2 || echo SSE))"
echo "BLAS for MLlib: $(ldconfig -p | grep -m1 'libblas.so.3' || echo 'none (MLlib falls back to Java BLAS)')"

data="${DESCENT_MNIST:-$HOME/.cache/descent/datasets/mnist}"
"$root/descent" train --epochs 1 --limit 1000 --out "$out/fetch" > /dev/null # fetches MNIST once, builds

# Seconds of training until the test accuracy first reaches 97 %, from a history.csv.
to97() { awk -F, 'NR > 1 { t += $10; if ($8 >= 0.97) { printf "%.1f", t; found = 1; exit } } END { if (!found) printf "never" }' "$1"; }
last() { awk -F, 'END { printf "%.4f", $8 }' "$1"; }
sum() { awk -F, 'NR > 1 { t += $10 } END { printf "%.1f", t }' "$1"; }

echo "== Descent on Spark: local[$cores], $cores partitions, batch 128 each, --sync-every $k, $epochs epochs"
start=$(date +%s.%N)
"$root/descent" spark train --master "local[$cores]" --partitions "$cores" --sync-every "$k" --epochs "$epochs" \
  --out "$out/descent" 2> "$out/descent.log" | tail -1
wall=$(echo "$(date +%s.%N) - $start" | bc)
printf "descent-spark: test accuracy %s, training %s s (%.1f s with Spark's start-up), to 97%%: %s s\n" \
  "$(last "$out/descent/history.csv")" "$(sum "$out/descent/history.csv")" "$wall" "$(to97 "$out/descent/history.csv")"

echo "== Spark MLlib MultilayerPerceptronClassifier 784-256-128-10 (defaults), local[$cores]"
(cd "$root/bench/mllib" && mvn -q -B -Dstyle.color=never package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt) >&2
OPENBLAS_NUM_THREADS=1 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  "-Dlog4j2.configurationFile=$root/spark/log4j2.properties" \
  -cp "$root/bench/mllib/target/mllib-mlp-0.1.0.jar:$(cat "$root/bench/mllib/target/classpath.txt")" \
  MllibMlp "$data" "local[$cores]" 100 50 300 "$minutes" 2> "$out/mllib.log" | tee "$out/mllib.csv"
awk -F, '/^[0-9]/ { t = $2; a = $3; if (a >= 0.97 && !hit) { hit = t } } END {
  printf "mllib: test accuracy %.4f, training %.1f s, to 97%%: %s s\n", a, t, hit ? hit : "never" }' "$out/mllib.csv"

echo "== Overhead: one-machine Descent, $epochs epochs of batch $((128 * cores)) (the same steps as $cores partitions x 128)"
"$root/descent" train --epochs "$epochs" --batch-size $((128 * cores)) --threads "$cores" --out "$out/one" | tail -1
printf "one machine: %s s of training, %.0f samples/s; Spark: %.0f samples/s, %s rounds/s\n" \
  "$(sum "$out/one/history.csv")" "$(echo "60000 * $epochs / $(sum "$out/one/history.csv")" | bc -l)" \
  "$(grep samples_per_second "$out/descent/spark.json" | tr -dc '0-9.')" \
  "$(grep rounds_per_second "$out/descent/spark.json" | tr -dc '0-9.')"

echo "== Scaling: 1 executor thread and 1 partition, the same batch and --sync-every, 2 epochs"
for n in 1 "$cores"; do
  "$root/descent" spark train --master "local[$n]" --partitions "$n" --sync-every "$k" --epochs 2 \
    --out "$out/scale-$n" 2> /dev/null | tail -1 > /dev/null
  printf "local[%s]: %.0f samples/s, %s rounds/s\n" "$n" "$(grep samples_per_second "$out/scale-$n/spark.json" | tr -dc '0-9.')" \
    "$(grep rounds_per_second "$out/scale-$n/spark.json" | tr -dc '0-9.')"
done
