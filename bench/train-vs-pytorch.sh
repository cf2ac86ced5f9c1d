#!/usr/bin/env bash
# Training throughput of Descent and PyTorch on the same machine, in the same run: the MLP
# 784-256-128-10, batch 128, one epoch of 60000 MNIST-shaped samples per run, SGD (momentum 0.9)
# and Adam, median of 5 runs. PyTorch is Debian's python3-torch 1.13 (scripts/python-reference.sh
# fetches it on first use) on OpenBLAS; it is measured under each of several thread settings and its
# best median is the reference, so the ratio is against tuned PyTorch, not the default setup.
#
#   bench/train-vs-pytorch.sh [THREADS]      (default: all cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
runs=5

# PyTorch settings tried: as it comes, without OpenMP spinning, and with OpenBLAS's AVX-512
# kernels where the CPU has AVX-512 (SkylakeX kernels would crash elsewhere).
settings=("" "GOMP_SPINCOUNT=0" "GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=Haswell")
if grep -q avx512f /proc/cpuinfo; then
  settings+=("GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=SkylakeX")
fi

echo "model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max,setting"
declare -A best
for opt in sgd adam; do
  best[$opt]=0
  for s in "${settings[@]}"; do
    row="$(env $s "$root/scripts/python-reference.sh" "$root/bench/torch_train.py" --optimizer "$opt" \
      --threads "$threads" --runs "$runs" | tail -1)"
    echo "$row,${s:-default}"
    median="$(echo "$row" | cut -d, -f4)"
    if [ "$median" -gt "${best[$opt]}" ]; then best[$opt]=$median; fi
  done
done
descent_rows="$("$root/descent" bench train --csv --threads "$threads" --runs "$runs" | tail -n +2)"
echo "$descent_rows" | sed 's/$/,descent/'
echo
for opt in sgd adam; do
  d="$(echo "$descent_rows" | grep -- "-$opt-descent," | cut -d, -f4)"
  awk -v o="$opt" -v d="$d" -v p="${best[$opt]}" \
    'BEGIN { printf "%s: Descent %d samples/s, tuned PyTorch %d samples/s, ratio %.2f\n", o, d, p, d / p }'
done
