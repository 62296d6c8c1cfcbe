#!/usr/bin/env bash
# `make fuzz`: runs each cargo-fuzz target of fuzz/ (docs/RELIABILITY.md D4)
# for FUZZ_SECONDS, on the stable toolchain without sanitizers (sqlmig
# forbids `unsafe`, so the sanitizers would find nothing a panic does not).
# A crash, a panic or a failed check stops the run with exit 1; libFuzzer
# leaves the input in fuzz/artifacts/<target>/ (replay it with
# `cargo fuzz run -s none <target> <file>`).
#
# Each target starts from the inputs it found before (target/fuzz/corpus/
# <target>, kept between runs) and from the repository's SQL fixtures
# (fixtures/, read but never written).
#
#   FUZZ_SECONDS   seconds per target [60]
#   FUZZ_TARGETS   the targets to run [parse fast_path normalize]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-parse fast_path normalize}

say() { printf 'fuzz: %s\n' "$*" >&2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (cargo install --locked cargo-fuzz, a few minutes the first time)"
  cargo install --locked --quiet cargo-fuzz
fi

say "building the targets (fuzz/, release)"
cargo fuzz build -s none

status=0
for target in $targets; do
  corpus=$root/target/fuzz/corpus/$target
  mkdir -p "$corpus"
  say "$target: ${seconds} s from $(find "$corpus" -type f | wc -l) saved inputs and fixtures/"
  log=$root/target/fuzz/$target.log
  if ! cargo fuzz run -s none "$target" "$corpus" "$root/fixtures" -- \
      -max_total_time="$seconds" -print_final_stats=1 \
      -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -40 "$log" >&2
    say "$target: FAILED (the input is in fuzz/artifacts/$target/; full log $log)"
    status=1
    continue
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  say "$target: ok, $execs inputs run, ${cov:-?} coverage points, $(find "$corpus" -type f | wc -l) inputs kept"
done
exit $status
