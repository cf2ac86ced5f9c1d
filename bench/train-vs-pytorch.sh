#!/usr/bin/env bash
# Training throughput of Descent and PyTorch on the same machine, in the same run: the MLP
# 784-256-128-10, batch 128, one epoch of 60000 MNIST-shaped samples per timed epoch, SGD (momentum
# 0.9) and Adam, median of 5 epochs per process. PyTorch is Debian's python3-torch 1.13
# (scripts/python-reference.sh fetches it on first use) on OpenBLAS, at its best setting: each
# setting below is measured once per optimizer and the best median wins, so the ratio is against
# tuned PyTorch, not the default setup.
#
# Then the comparison runs in rounds, because shared machines drift by ±20 % over minutes: each
# round measures PyTorch (at that setting) and Descent once each, back to back and in alternating
# order, and gives one ratio; the result is the median ratio. (Taking the best of several PyTorch
# runs per round against one Descent run would credit PyTorch with the luckiest of its draws.)
#
#   bench/train-vs-pytorch.sh [THREADS] [ROUNDS]      (defaults: all cores, 5 rounds)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
rounds="${2:-5}"
runs=5

# PyTorch settings tried: as it comes, without OpenMP spinning, and with OpenBLAS's AVX-512
# kernels where the CPU has AVX-512 (SkylakeX kernels would crash elsewhere).
settings=("" "GOMP_SPINCOUNT=0" "GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=Haswell")
if grep -q avx512f /proc/cpuinfo; then
  settings+=("GOMP_SPINCOUNT=0 OPENBLAS_CORETYPE=SkylakeX")
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "round,model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max,setting"
torch_rate() { # SETTING OPTIMIZER -> one CSV row of bench/torch_train.py
  env $1 "$root/scripts/python-reference.sh" "$root/bench/torch_train.py" --optimizer "$2" \
    --threads "$threads" --runs "$runs" | tail -1
}
declare -A best_setting ratios torch descent
for opt in sgd adam; do
  best=0
  for s in "${settings[@]}"; do
    row="$(torch_rate "$s" "$opt")"
    echo "setup,$row,${s:-default}"
    rate="$(echo "$row" | cut -d, -f4)"
    if [ "$rate" -gt "$best" ]; then best=$rate; best_setting[$opt]="$s"; fi
  done
done
for round in $(seq "$rounds"); do
  for opt in sgd adam; do
    for side in $( [ $((round % 2)) -eq 1 ] && echo "torch descent" || echo "descent torch"); do
      if [ "$side" = torch ]; then
        row="$(torch_rate "${best_setting[$opt]}" "$opt")"
        echo "$round,$row,${best_setting[$opt]:-default}"
        p="$(echo "$row" | cut -d, -f4)"
      else
        row="$("$root/descent" bench train --csv --optimizer "$opt" --threads "$threads" --runs "$runs" | tail -1)"
        echo "$round,$row,descent"
        d="$(echo "$row" | cut -d, -f4)"
      fi
    done
    torch[$opt]+="$p "
    descent[$opt]+="$d "
    ratios[$opt]+="$(awk -v d="$d" -v p="$p" 'BEGIN { printf "%.3f", d / p }') "
  done
done
echo
for opt in sgd adam; do
  printf '%s: Descent %.0f samples/s, tuned PyTorch %.0f samples/s (medians of %d rounds); ratio %.2f (median; rounds: %s)\n' \
    "$opt" "$(echo ${descent[$opt]} | tr ' ' '\n' | median)" "$(echo ${torch[$opt]} | tr ' ' '\n' | median)" "$rounds" \
    "$(echo ${ratios[$opt]} | tr ' ' '\n' | median)" "$(echo ${ratios[$opt]} | sed 's/ $//')"
done
