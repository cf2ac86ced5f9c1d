#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of every parser that reads outside bytes or text, one Maven run
# per target (Jazzer fuzzes one @FuzzTest per JVM), with a small heap so that an allocation a file
# claims but does not back fails as an OutOfMemoryError finding.
#
#   scripts/fuzz.sh                 10^6 inputs per target (the default)
#   scripts/fuzz.sh --runs N        N inputs per target
#   scripts/fuzz.sh SECONDS         SECONDS of fuzzing per target
#   scripts/fuzz.sh --seeds         only write the seed corpora (small valid files the code writes;
#                                   every fuzzing run writes them first, and git ignores them)
#   any of these, then TARGET...    only those targets (Class#method, as listed below)
#
# Prints per target: executions, coverage (libFuzzer's cov: edges and ft: features) and findings.
# A finding leaves crash-<sha1> in the target's Inputs folder under src/test/resources: fix the
# parser, and commit the file, which then replays in every mvn test. Logs: target/fuzz/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/jdk.sh"
descent_find_jdk
cd "$root"

targets=(
  core:descent.io.JsonFuzzTest#read
  core:descent.io.SafeTensorsFuzzTest#load
  core:descent.data.IdxFuzzTest#read
  core:descent.data.IdxFuzzTest#readGzipped
  core:descent.data.MnistFuzzTest#load
  core:descent.train.CheckpointFuzzTest#restore
  core:descent.train.CheckpointFuzzTest#fullBatchResume
  cli:descent.cli.RunConfigFuzzTest#parse
  cli:descent.cli.ValueParsersFuzzTest#augment
  cli:descent.cli.ValueParsersFuzzTest#schedule
  cli:descent.cli.ValueParsersFuzzTest#init
  cli:descent.cli.ValueParsersFuzzTest#hidden
  cli:descent.cli.ValueParsersFuzzTest#hyperparameters
  cli:descent.cli.ValueParsersFuzzTest#curriculum
  cli:descent.cli.ValueParsersFuzzTest#averaging
  cli:descent.cli.ValueParsersFuzzTest#pretrain
  cli:descent.cli.ValueParsersFuzzTest#auxHeads
)
bound=(-Djazzer.max_executions=1000000 -Djazzer.max_duration=3600s)
# The seeds are small valid files the code writes (seed-* in each target's Inputs folder, ignored by
# git): written afresh before every fuzzing run, so they always match today's formats. The path is
# relative: each module's test JVM runs in that module's folder.
write_seeds() {
  mvn -q -B -o -pl cli -am test -Dtest='*FuzzTest#writeSeeds' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfuzz.seeds=src/test/resources
}
case "${1:-}" in
  --runs) bound=(-Djazzer.max_executions="$2" -Djazzer.max_duration=3600s); shift 2 ;;
  --seeds) write_seeds; echo "seed corpora written under core/ and cli/src/test/resources"; exit 0 ;;
  [0-9]*) bound=(-Djazzer.max_duration="$1s"); shift ;;
esac
if [ $# -gt 0 ]; then
  chosen=()
  for t in "${targets[@]}"; do
    for want in "$@"; do
      [[ "${t#*:}" == *"$want"* ]] && chosen+=("$t")
    done
  done
  targets=("${chosen[@]}")
fi

write_seeds
mkdir -p target/fuzz
failed=0
printf '%-48s %10s %7s %7s %s\n' target executions cov ft findings
for t in "${targets[@]}"; do
  module=${t%%:*} test=${t#*:}
  log=target/fuzz/${test//[#.]/_}.log
  status=0
  also=(); [ "$module" = core ] || also=(-am) # cli builds core from source (nothing is installed)
  JAZZER_FUZZ=1 mvn -B -o -pl "$module" "${also[@]}" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    "${bound[@]}" -DargLine.extra=-Xmx512m >"$log" 2>&1 || status=$?
  done_line=$(grep -aE '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -n 1 || true)
  runs=$(grep -aoE '^Done [0-9]+ runs' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  [ -n "$runs" ] || runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$done_line")
  cov=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || true)
  instrumented=$(grep -ac "INFO: Instrumented descent\.[a-z.]*[A-Z][A-Za-z0-9\$]* (took" "$log" || true)
  finding=none
  if [ "$status" -ne 0 ]; then
    finding=$(grep -aoE '(== Java Exception: |FuzzerSecurityIssue[A-Za-z]*: )[^ ]*' "$log" | head -n 1 || true)
    finding="${finding:-build failed (see $log)}"
    failed=1
  elif [ "${instrumented:-0}" -eq 0 ] || [ "${cov:-0}" -eq 0 ]; then
    finding="NOT COUNTED: no instrumented descent class or no coverage (see $log)"
    failed=1
  fi
  printf '%-48s %10s %7s %7s %s\n' "$test" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$finding"
done
exit "$failed"
