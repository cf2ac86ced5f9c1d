#!/usr/bin/env bash
# Training throughput of Descent and PyTorch on the same machine, in the same run: the MLP
# 784-256-128-10, batch 128, one epoch of 60000 MNIST-shaped samples per timed epoch, SGD (momentum
# 0.9) and Adam, median of 5 epochs per process. PyTorch is Debian's python3-torch 1.13
# (scripts/python-reference.sh fetches it on first use) on OpenBLAS; it is measured under each of
# several thread settings and its best median is the reference, so the ratio is against tuned
# PyTorch, not the default setup.
#
# Shared machines drift by ±20 % over minutes, so the comparison runs in rounds: each round measures
# PyTorch and then Descent for one optimizer, and gives one ratio; the result is the median ratio.
#
#   bench/train-vs-pytorch.sh [THREADS] [ROUNDS]      (defaults: all cores, 3 rounds)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
rounds="${2:-3}"
runs=5

# PyTorch settings tried: as it comes, without OpenMP spinning, and with OpenBLAS's AVX-512
# kernels where the CPU has AVX-512 (SkylakeX kernels would crash elsewhere).
settings=("" "GOMP_SPINCOUNT=0" "GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=Haswell")
if grep -q avx512f /proc/cpuinfo; then
  settings+=("GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=SkylakeX")
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "round,model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max,setting"
declare -A ratios torch descent
for round in $(seq "$rounds"); do
  for opt in sgd adam; do
    best=0
    for s in "${settings[@]}"; do
      row="$(env $s "$root/scripts/python-reference.sh" "$root/bench/torch_train.py" --optimizer "$opt" \
        --threads "$threads" --runs "$runs" | tail -1)"
      echo "$round,$row,${s:-default}"
      median_rate="$(echo "$row" | cut -d, -f4)"
      if [ "$median_rate" -gt "$best" ]; then best=$median_rate; fi
    done
    row="$("$root/descent" bench train --csv --optimizer "$opt" --threads "$threads" --runs "$runs" | tail -1)"
    echo "$round,$row,descent"
    d="$(echo "$row" | cut -d, -f4)"
    torch[$opt]+="$best "
    descent[$opt]+="$d "
    ratios[$opt]+="$(awk -v d="$d" -v p="$best" 'BEGIN { printf "%.3f", d / p }') "
  done
done
echo
for opt in sgd adam; do
  printf '%s: Descent %.0f samples/s, tuned PyTorch %.0f samples/s (medians of %d rounds); ratio %.2f (median; rounds: %s)\n' \
    "$opt" "$(echo ${descent[$opt]} | tr ' ' '\n' | median)" "$(echo ${torch[$opt]} | tr ' ' '\n' | median)" "$rounds" \
    "$(echo ${ratios[$opt]} | tr ' ' '\n' | median)" "$(echo ${ratios[$opt]} | sed 's/ $//')"
done
