#!/usr/bin/env bash
# Training throughput of the working tree against a base revision, measured in one JVM by turns
# (bench/TrainAB.java): the way to tell whether a change of a few percent is real on a machine
# that drifts by more than that. Builds the base revision in a temporary git worktree.
#
#   bench/train-ab.sh [BASE_REV] [ROUNDS] [OPTIMIZER]     (defaults: HEAD, 100 rounds, sgd)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
descent_find_jdk
descent_require_maven
base="${1:-HEAD}"
rounds="${2:-100}"
optimizer="${3:-sgd}"

work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/base" "$base" >/dev/null
echo "building $base and the working tree..." >&2
(cd "$work/base" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
(cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Djava.awt.headless=true \
  "$root/bench/TrainAB.java" "$work/base/cli/target" "$root/cli/target" "$rounds" "$optimizer"
