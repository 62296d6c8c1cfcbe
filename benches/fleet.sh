#!/usr/bin/env bash
# The fleet benchmark (issue 16), part of `make bench`; alone:
#   BENCH_ONLY=fleet benches/run.sh      (or benches/fleet.sh SQLMIG_BINARY)
#
# 200 PostgreSQL databases x 20 revisions. The floor is what teams do today:
# a shell loop running `sqlmig upgrade` once per database. Against it:
# `sqlmig upgrade --targets FILE --jobs 1/4/8`. Every round resets the 200
# databases (an empty public schema), then times the four commands in a
# rotated order; the figures are medians over BENCH_FLEET_RUNS rounds (3).
# Peak memory is the maximum resident set size of the process (of the
# largest single `sqlmig` for the loop), from GNU time. CPU is counted too:
# the client's (user + system of the command and everything it waited for,
# from GNU time) and, when the server runs on this machine, the server's
# (the postmaster's own and reaped children's times from /proc, plus its
# live children's): their sum over the wall time is how many cores the run
# kept busy, and the CPU of a run over the number of cores is the shortest
# that run could take here.
#
# The databases `sqlmig_fleet_001`... are created here and dropped at the
# end, even on failure. Writes the table between the README's
# `<!-- fleet:start -->` / `<!-- fleet:end -->` markers and into
# docs/BENCHMARKS.md's fleet section.
#
# Environment: BENCH_PG (server URL without a database)
# [postgres://postgres@127.0.0.1:5432], BENCH_FLEET_DATABASES [200],
# BENCH_FLEET_REVISIONS [20], BENCH_FLEET_RUNS [3].
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sqlmig=${1:-$root/target/release/sqlmig}
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
count=${BENCH_FLEET_DATABASES:-200}
revisions=${BENCH_FLEET_REVISIONS:-20}
runs=${BENCH_FLEET_RUNS:-3}
work=$root/target/bench/fleet
say() { printf 'bench (fleet): %s\n' "$*" >&2; }

[[ -x $sqlmig ]] || { say "no sqlmig binary at $sqlmig (cargo build --release)"; exit 1; }
command -v psql >/dev/null || { say "psql is missing: install postgresql-client"; exit 1; }
[[ -x /usr/bin/time ]] || { say "GNU time (/usr/bin/time) is missing: install time"; exit 1; }
admin="$pg/postgres?sslmode=disable"
psql -X -q -d "$admin" -c 'SELECT 1' >/dev/null 2>&1 || { say "no PostgreSQL server at $pg"; exit 1; }
cores=$(nproc)
ticks=$(getconf CLK_TCK)

# The server's CPU seconds so far: the postmaster's user, system and reaped
# children's times, plus those of its children alive now; empty when the
# server is not a local process this user may read.
postmaster=$(head -1 "$(psql -X -q -t -A -d "$admin" -c 'SHOW data_directory' 2>/dev/null)/postmaster.pid" 2>/dev/null || true)
server_cpu() {
  [[ -n $postmaster && -r /proc/$postmaster/stat ]] || return 0
  local total=0 pid fields
  for pid in "$postmaster" $(cat "/proc/$postmaster/task/$postmaster/children" 2>/dev/null); do
    # Fields after the command name: utime is the 12th, cutime the 14th.
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
    [[ $pid == "$postmaster" ]] && total=$((total + f[13] + f[14]))
  done
  awk -v t="$total" -v hz="$ticks" 'BEGIN {printf "%.2f", t / hz}'
}

rm -rf "$work" && mkdir -p "$work/project/migrations"
names=()
for ((i = 1; i <= count; i++)); do names+=("$(printf 'sqlmig_fleet_%03d' "$i")"); done

# --- the databases: created here, dropped on exit --------------------------------
cleanup() {
  say "dropping the $count databases"
  for name in "${names[@]}"; do echo "DROP DATABASE IF EXISTS $name WITH (FORCE);"; done |
    psql -X -q -d "$admin" >/dev/null 2>&1 || true
}
trap cleanup EXIT
say "creating $count databases"
for name in "${names[@]}"; do echo "DROP DATABASE IF EXISTS $name WITH (FORCE); CREATE DATABASE $name;"; done |
  psql -X -q -v ON_ERROR_STOP=1 -d "$admin" >/dev/null 2>&1

# Empties every database (one psql session, \c from one to the next), then
# a checkpoint, so no command pays for the writes of the one before it; then
# `sync` and a pause of 6 s: the reset deletes some 25,000 files, and for a
# few seconds after (minutes while the inode tables are unwritten) ext4
# searches past every recently deleted inode when the next run creates a
# file, which costs the server more CPU than the DDL itself (perf: 17% of
# all samples in `recently_deleted`).
reset() {
  {
    for name in "${names[@]}"; do
      printf '\\c %s\nDROP SCHEMA public CASCADE; CREATE SCHEMA public;\n' "$name"
    done
    echo "CHECKPOINT;"
  } | psql -X -q -v ON_ERROR_STOP=1 -d "$admin" >/dev/null 2>&1
  sync
  sleep 6
}

# Every database must hold every revision, once.
verify() {
  local total
  total=$(for name in "${names[@]}"; do
    printf '\\c %s\nSELECT count(*) FROM sqlmig_revisions WHERE state = %s;\n' "$name" "'applied'"
  done | psql -X -q -t -A -d "$admin" 2>/dev/null | awk '{s += $1} END {print s + 0}')
  [[ $total == $((count * revisions)) ]] ||
    { say "$1: $total state rows, expected $((count * revisions))"; exit 1; }
}

# The DDL-alone run must have recorded every revision too.
verify_ddl() {
  local total
  total=$(for name in "${names[@]}"; do
    printf '\\c %s\nSELECT count(*) FROM bench_versions;\n' "$name"
  done | psql -X -q -t -A -d "$admin" 2>/dev/null | awk '{s += $1} END {print s + 0}')
  [[ $total == $((count * revisions)) ]] ||
    { say "the DDL alone: $total version rows, expected $((count * revisions))"; exit 1; }
}

# --- the project: 20 revisions, the targets file --------------------------------
parent=""
for ((r = 1; r <= revisions; r++)); do
  id=$(printf 'r%03d' "$r")
  {
    echo "-- revision: $id"
    [[ -n $parent ]] && echo "-- revises: $parent"
    echo "-- message: revision $r"
    echo
    echo "-- up"
    echo "CREATE TABLE t_$id (id BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());"
    echo "CREATE INDEX t_${id}_tenant ON t_$id (tenant);"
    echo "INSERT INTO t_$id (tenant) VALUES ('a'), ('b');"
    echo
    echo "-- down"
    echo "DROP TABLE t_$id;"
  } >"$work/project/migrations/$id.sql"
  parent=$id
done
for name in "${names[@]}"; do echo "$pg/$name?sslmode=disable"; done >"$work/project/targets.txt"
# The project's own configuration: without it, sqlmig's search upwards
# finds the repository's sqlmig.toml (the example project) and migrates that.
echo 'directory = "migrations"' >"$work/project/sqlmig.toml"
# The DDL alone, with no migration tool: the same revisions as one psql
# script per database (a transaction and a version row per revision), 8
# databases at a time: the reference for the parallel rows.
{
  echo "CREATE TABLE bench_versions (version TEXT PRIMARY KEY);"
  for ((r = 1; r <= revisions; r++)); do
    sed -n '/^-- up$/,/^-- down$/p' "$work/project/migrations/$(printf 'r%03d' "$r").sql" |
      grep -v '^--' | grep -v '^$' | sed '1i BEGIN;'
    printf "INSERT INTO bench_versions VALUES ('r%03d');\nCOMMIT;\n" "$r"
  done
} >"$work/project/ddl.sql"
printf '#!/usr/bin/env bash\nwhile read -r url; do "%s" upgrade -q --database-url "$url" || exit 1; done < targets.txt\n' \
  "$sqlmig" >"$work/project/loop.sh"
chmod +x "$work/project/loop.sh"

# --- measuring --------------------------------------------------------------------
modes=(loop jobs1 jobs4 jobs8 ddl8)
declare -A label=(
  [loop]="shell loop: \`sqlmig upgrade\` once per database (the floor)"
  [ddl8]="the DDL alone: \`psql -f\` of the same revisions, 8 databases at a time (no tool)"
  [jobs1]="\`sqlmig upgrade --targets FILE --jobs 1\`"
  [jobs4]="\`sqlmig upgrade --targets FILE --jobs 4\`"
  [jobs8]="\`sqlmig upgrade --targets FILE --jobs 8\`"
)
command_of() {
  case $1 in
    loop) echo "./loop.sh" ;;
    jobs*) echo "$sqlmig upgrade -q --targets targets.txt --jobs ${1#jobs}" ;;
    ddl8) echo "xargs -P 8 -I {} psql -X -q -v ON_ERROR_STOP=1 -d {} -f ddl.sql" ;;
  esac
}
declare -A seconds memory client server
for ((round = 0; round < runs; round++)); do
  for ((k = 0; k < ${#modes[@]}; k++)); do
    mode=${modes[$(((k + round) % ${#modes[@]}))]}
    reset
    say "round $((round + 1))/$runs: $mode"
    before=$(server_cpu)
    if [[ $mode == ddl8 ]]; then
      out=$(cd "$work/project" && /usr/bin/time -f '%e %M %U %S' $(command_of "$mode") <targets.txt 2>&1 >/dev/null | tail -1)
    else
      out=$(cd "$work/project" && /usr/bin/time -f '%e %M %U %S' $(command_of "$mode") 2>&1 >/dev/null | tail -1)
    fi
    after=$(server_cpu)
    [[ $mode == ddl8 ]] && verify_ddl || verify "$mode"
    read -r wall kb user sys <<<"$out"
    seconds[$mode]+="$wall "
    memory[$mode]+="$kb "
    client[$mode]+="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}') "
    [[ -n $before ]] && server[$mode]+="$(awk -v a="$before" -v b="$after" 'BEGIN {printf "%.2f", b - a}') "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
maximum() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
loop_s=$(median <<<"${seconds[loop]}")
table=$work/table.md
{
  echo "### Many databases: $count PostgreSQL databases × $revisions revisions"
  echo
  echo "| command | median | peak memory | CPU: client + server | cores busy | shortest possible on $cores cores | speed-up vs the loop | target |"
  echo "|---|---|---|---|---|---|---|---|"
  for mode in "${modes[@]}"; do
    s=$(median <<<"${seconds[$mode]}")
    kb=$(maximum <<<"${memory[$mode]}")
    mb=$(awk -v kb="$kb" 'BEGIN {printf "%.0f", kb / 1024}')
    speedup=$(awk -v a="$loop_s" -v b="$s" 'BEGIN {printf "%.2f", a / b}')
    c=$(median <<<"${client[$mode]}")
    if [[ -n ${server[$mode]:-} ]]; then
      v=$(median <<<"${server[$mode]}")
      cpu="$c s + $v s"
      busy=$(awk -v c="$c" -v v="$v" -v w="$s" 'BEGIN {printf "%.2f", (c + v) / w}')
      shortest=$(awk -v c="$c" -v v="$v" -v n="$cores" -v l="$loop_s" 'BEGIN {printf "%.2f s (%.2fx the loop)", (c + v) / n, l / ((c + v) / n)}')
    else
      cpu="$c s + (server not local)"
      busy="–"
      shortest="–"
    fi
    target=""
    if [[ $mode == jobs8 ]]; then
      ok_speed=$(awk -v x="$speedup" 'BEGIN {print (x >= 3) ? "✅" : "❌"}')
      ok_mem=$(awk -v m="$mb" 'BEGIN {print (m < 100) ? "✅" : "❌"}')
      target="$ok_speed ≥ 3x the loop; $ok_mem < 100 MB"
    fi
    [[ $mode == ddl8 ]] && mb="–" || mb="$mb MB"
    echo "| ${label[$mode]} | ${s} s | ${mb} | $cpu | $busy | $shortest | ${speedup}x | $target |"
  done
  echo
  echo "Medians of $runs interleaved rounds on $cores CPUs, each from $count empty databases; every run is checked afterwards ($((count * revisions)) state rows, or version rows for the DDL alone). Peak memory of the loop: its largest single \`sqlmig\` process."
  echo
  awk -v j="$(median <<<"${seconds[jobs8]}")" -v d="$(median <<<"${seconds[ddl8]}")" -v l="$loop_s" 'BEGIN {
    printf "The last row is no migration tool at all: the server running the same DDL from psql, 8 databases at a time, is %.2fx faster than the loop; `--jobs 8` takes %.2fx its time. ", l / d, j / d
    printf "When the disk flushes fast, creating tables, sequences and indexes (catalog rows, new files, each index build synced to disk) keeps the server busy on both cores, and that work bounds every parallel row alike: the CPU columns say how busy, and how short a run of the same work could be on this machine at best.\n" }' 
} >"$table"
cat "$table"

python3 - "$root" "$table" <<'PY'
import re, sys
from pathlib import Path
root, table = Path(sys.argv[1]), Path(sys.argv[2]).read_text().rstrip() + "\n"
for path, start, end in [
    (root / "README.md", "<!-- fleet:start -->", "<!-- fleet:end -->"),
    (root / "docs" / "BENCHMARKS.md", "<!-- fleet:start -->", "<!-- fleet:end -->"),
]:
    if not path.exists():
        continue
    text = path.read_text()
    block = f"{start}\n{table}{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
PY
say "table written to README.md and docs/BENCHMARKS.md"
