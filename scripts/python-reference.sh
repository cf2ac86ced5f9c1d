#!/usr/bin/env bash
# Runs a Python script with Debian's PyTorch (and SciPy) without root, for the checked-in scripts
# that make golden test files (they never run at test time):
#
#   scripts/python-reference.sh core/src/test/python/optimizer_golden.py
#
# When the system's python3 imports torch and scipy, it runs the script with them. Otherwise the
# first run downloads python3-torch, python3-scipy and the packages they need that are not
# installed (apt-get download, about 230 MB), unpacks them with dpkg -x under
# ${XDG_CACHE_HOME:-~/.cache}/descent/python-reference and makes the shared-library links that
# ldconfig would make. Later runs reuse them.
set -euo pipefail
# A system-wide PyTorch and SciPy that import are used as they are: mixing the fetched packages into
# an installed python3-torch breaks its imports (libQt5OpenGL.so.5: undefined symbol).
if /usr/bin/python3 -c 'import torch, scipy' >/dev/null 2>&1; then
  exec /usr/bin/python3 "$@"
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/descent/python-reference"
root="$cache/root"
if [ ! -f "$cache/ready" ]; then
  mkdir -p "$cache/debs" "$root"
  echo "python-reference: fetching python3-torch and python3-scipy into $cache ..." >&2
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances python3-torch python3-scipy | grep '^\w' | sort -u > "$cache/wanted.txt"
  dpkg-query -W -f='${Package}\n' | sort -u > "$cache/installed.txt"
  comm -23 "$cache/wanted.txt" "$cache/installed.txt" > "$cache/needed.txt"
  (cd "$cache/debs" && apt-get download $(cat "$cache/needed.txt")) >&2
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$root"; done
  find "$root" -path '*/lib*' -name '*.so*' -printf '%h\n' | sort -u | while read -r dir; do /sbin/ldconfig -n "$dir"; done
  touch "$cache/ready"
fi
# The OpenMP OpenBLAS goes first: torch would otherwise bind libblas.so.3 to the reference BLAS
# (the alternatives links that pick a BLAS are not made without root), which is ten times slower.
libs="$(find "$root" -path '*/lib*' -name '*.so*' -printf '%h\n' | sort -u \
  | awk '/openblas-openmp/ { print; next } { rest = rest $0 "\n" } END { printf "%s", rest }' | paste -sd: -)"
export PYTHONPATH="$root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec /usr/bin/python3 "$@"
