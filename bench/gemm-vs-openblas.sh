#!/usr/bin/env bash
# Descent's GEMM against OpenBLAS's cblas_sgemm on the same shapes, threads and machine, in one run.
# Prints both medians and the ratio. Needs gcc and OpenBLAS (Debian: apt-get install libopenblas-dev).
#
# OpenBLAS picks its kernels from the CPU; an environment may force a core type (for example
# OPENBLAS_CORETYPE=Haswell, which halves its speed on AVX-512 machines). Set OPENBLAS_CORETYPE to
# the machine's real type (SkylakeX on AVX-512) for a fair comparison; this script passes it through.
#
# Usage: bench/gemm-vs-openblas.sh [extra ./descent bench gemm options, e.g. --repeats 9]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v gcc >/dev/null || ! { [ -f /usr/include/cblas.h ] || [ -f /usr/include/x86_64-linux-gnu/cblas.h ] \
     || ls /usr/include/*/cblas*.h >/dev/null 2>&1; }; then
  echo "gemm-vs-openblas: needs gcc and OpenBLAS headers; install them with: apt-get install gcc libopenblas-dev" >&2
  exit 1
fi
gcc -O2 -o "$work/openblas_sgemm" "$root/bench/openblas_sgemm.c" -lopenblas

shapes="256x256x256;512x512x512;1024x1024x1024;2048x2048x2048;128x256x784;128x128x256;128x784x256xT;128x10x256"
"$root/descent" bench gemm --csv --shapes "$shapes" --threads 1,2 "$@" 2>/dev/null > "$work/descent.csv"

args=()
IFS=';' read -ra list <<< "$shapes"
for s in "${list[@]}"; do args+=("$(echo "$s" | tr 'x' ',')"); done
{
  "$work/openblas_sgemm" 1 7 "${args[@]}"
  "$work/openblas_sgemm" 2 7 "${args[@]}"
} > "$work/openblas.csv"

echo "float32 GEMM, GFLOP/s (median of samples); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<auto>}"
awk -F, '
  NR == FNR { ob[$1","$2","$3","$4] = $5; next }
  FNR == 1 { printf "%-22s %7s %10s %10s %8s\n", "m,n,k", "threads", "descent", "openblas", "ratio"; next }
  { key = $1","$2","$3","$4
    r = (key in ob && ob[key] > 0) ? $5 / ob[key] : 0
    printf "%-22s %7d %10.1f %10.1f %7.0f%%\n", $1","$2","$3, $4, $5, ob[key], 100 * r }
' "$work/openblas.csv" "$work/descent.csv"
