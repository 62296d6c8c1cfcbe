#!/usr/bin/env bash
# The reliability and security suite (docs/RELIABILITY.md §9): runs it, then
# prints the §9.1 headline figures, one line each, and `N passed, N failed`.
#
# The tests append their figures as `key<TAB>value` lines to files of their
# own under target/reliability/; this adds them up (keys ending in `_max`
# take the maximum) into target/reliability-report.json and the lines
# below. Besides tests/reliability/ it runs the integration tests that
# measure §9 items too: online/offline equivalence and hostile messages
# (tests/emit.rs), golden checksums (tests/fixtures.rs) and the TLS modes.
#
#   scripts/reliability.sh            run, then report
#   scripts/reliability.sh --report   report on the figures already there
#   SQLMIG_SOAK=1 scripts/reliability.sh   the long repeat counts
set -uo pipefail

cargo=${CARGO:-cargo}
target=${CARGO_TARGET_DIR:-target}
figures="$target/reliability"
log="$target/reliability.log"

status=0
if [[ ${1:-} != --report ]]; then
  rm -rf "$figures" "$target/reliability-report.json"
  mkdir -p "$figures"
  started=$(date +%s)
  $cargo test --locked --features fault-injection --test reliability 2>&1 | tee "$log" || status=1
  $cargo test --locked --features fault-injection --test integration -- \
    emit:: fixtures:: tls sslmode 2>&1 | tee -a "$log" || status=1
  echo "reliability: the suite took $(($(date +%s) - started)) s" | tee -a "$log"
fi

cat "$figures"/*.tsv 2>/dev/null | awk -F '\t' -v json="$target/reliability-report.json" -v logfile="$log" -v status="$status" '
  NF == 2 {
    if ($1 ~ /_max$/) { if (!($1 in v) || $2 > v[$1]) v[$1] = $2 }
    else v[$1] += $2
  }
  function f(key) { return (key in v) ? v[key] : "n/a" }
  function pct(part, whole) {
    if (!(part in v) || !(whole in v) || v[whole] == 0) return "n/a"
    return sprintf("%.0f%%", 100 * v[part] / v[whole])
  }
  function seconds(key) { return (key in v) ? sprintf("%.1f s", v[key] / 1000) : "n/a" }
  END {
    print ""
    print "== docs/RELIABILITY.md §9.1 headline figures =="
    printf "A1..A4 duplicate applications: %s (%s runs of 2, 4 and 8 runners, %s processes, %s failed, %s race symptoms)\n", f("a.duplicates"), f("a.runs"), f("a.processes"), f("a.failed_processes"), f("a.race_symptoms")
    printf "A6 pid mismatches: %s/%s samples\n", f("a6.mismatches"), f("a6.samples")
    printf "A7 CIC deadlocks: %s/%s (invalid indexes %s)\n", f("a7.deadlocks"), f("a7.runs"), f("a7.invalid_indexes")
    printf "A9 pooler cases: %s/%s pass (PgBouncer transaction mode refused, session mode works)\n", f("a9.passed"), f("a9.cases")
    printf "A10 lock scoping as expected: %s/%s\n", f("a10.passed"), f("a10.cases")
    printf "A11 plan computed after the lock: %s/%s\n", f("a11.passed"), f("a11.runs")
    printf "B1..B5 error line exact: %s (%s/%s), column exact %s\n", pct("b.lines_exact", "b.position_cases"), f("b.lines_exact"), f("b.position_cases"), pct("b.columns_exact", "b.position_cases")
    printf "B6 orphan lock release after kill -9: PostgreSQL %s, MariaDB %s, SQLite %s\n", seconds("b6.postgres_release_ms_max"), seconds("b6.mysql_release_ms_max"), seconds("b6.sqlite_release_ms_max")
    printf "B7 SQLite crash consistency: %s/%s (partial revisions %s, rerun failures %s)\n", f("b7.consistent"), f("b7.runs"), f("b7.partial"), f("b7.rerun_failures")
    printf "B8 MariaDB silent re-runs: %s/%s (wrong applied marks %s; recorded = actual %s, one short %s, other %s)\n", f("b8.silent_reruns"), f("b8.runs"), f("b8.wrong_applied"), f("b8.recorded_exact"), f("b8.recorded_one_short"), f("b8.recorded_other")
    printf "B9 dirty markers after a crash right after commit: %s (%s crashes); crash points consistent %s/%s\n", f("b9.dirty"), f("b9.runs"), f("b.crash_points_consistent"), f("b.crash_points")
    printf "B10 signal stops consistent: %s/%s (SIGTERM and SIGINT mid-run, then a rerun)\n", f("b10.consistent"), f("b10.runs")
    printf "B11 server restarted mid-run, consistent: %s/%s (run ended after the restart began: PostgreSQL %s, MariaDB %s)\n", f("b11.consistent"), f("b11.runs"), seconds("b11.postgres_ms_max"), seconds("b11.mysql_ms_max")
    printf "B13 paused server ended the run: %s/%s within the bound; after the pause: PostgreSQL %s, MariaDB %s\n", f("b13.within_bound"), f("b13.runs"), seconds("b13.postgres_ms_max"), seconds("b13.mysql_ms_max")
    printf "C-6 network cut ended the run: %s/%s within the bound (longest %s after the cut)\n", f("cut.within_bound"), f("cut.runs"), seconds("cut.ms_max")
    printf "B15 online/offline schema diff: %s lines (%s comparisons)\n", f("b15.schema_diff_lines"), f("b15.comparisons")
    printf "C1 tamper detections: %s/%s (sqlmig.sum alone: %s/%s)\n", f("c1.as_expected"), f("c1.cases"), f("c1.caught_by_sum"), f("c1.cases")
    printf "C2 golden checksum mismatches: %s (%s files)\n", f("c2.mismatches"), f("c2.files")
    printf "C5 history tampering detected: %s/%s\n", f("c5.detected"), f("c5.cases")
    printf "D1 panics: %s/%s files; errors at their line %s/%s\n", f("d1.panics"), f("d1.files"), f("d1.errors_at_line"), f("d1.errors")
    printf "D3 splitter disagreements: %s/%s scripts\n", f("d3.disagreements"), f("d3.scripts")
    printf "D4 fuzz: %s execs, crashes %s\n", f("d4.cases"), f("d4.crashes")
    printf "D5 error report, a million errors in one file and 900 in 300 files: at most %s lines, %s bytes\n", f("d5.report_lines_max"), f("d5.report_bytes_max")
    printf "E1 password leaks: %s (%s runs)\n", f("e1.leaks"), f("e1.runs")
    printf "E2 password in argv: %s/%s samples (%s runs, output leaks %s); readable password files warned: %s/%s\n", f("e2.argv_leaks"), f("e2.argv_samples"), f("e2.runs"), f("e2.output_leaks"), f("e2.warnings"), f("e2.warning_cases")
    printf "E3 TLS cases: %s/%s pass\n", f("e3.passed"), f("e3.cases")
    printf "E4 injections: %s (%s strings x modes, round-trip mismatches %s)\n", f("e4.injections"), f("e4.cases"), f("e4.mismatches")
    printf "F2 session modes: %s/%s pass\n", f("f2.passed"), f("f2.modes")

    printf "{" > json
    first = 1
    for (key in v) { printf "%s\n  \"%s\": %s", (first ? "" : ","), key, v[key] > json; first = 0 }
    printf "\n}\n" > json

    passed = 0; failed = 0
    while ((getline line < logfile) > 0) {
      if (line ~ /^test result:/) {
        n = split(line, words, " ")
        for (i = 2; i <= n; i++) {
          if (words[i] ~ /^passed;?$/) passed += words[i - 1]
          if (words[i] ~ /^failed;?$/) failed += words[i - 1]
        }
      }
    }
    if (status != 0 && failed == 0) print "(a test target failed to build or run: see " logfile ")"
    printf "%d passed, %d failed\n", passed, failed
  }'

exit $status
