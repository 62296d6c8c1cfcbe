#!/usr/bin/env bash
# `make bench`: sqlmig's benchmarks, end to end, on this machine.
#
#  1. Installs what is missing and says so: sqlite3 and psql (apt-get, as
#     root), then builds sqlmig (release) and the bench crate in benches/
#     (corpus generator, read floor, criterion micro-benchmarks).
#  2. Writes the corpora into target/bench/corpus: 100, 1,000 and 10,000
#     revisions, PostgreSQL, MySQL/MariaDB and SQLite, each with its floor
#     script and the peers' file formats (benches/src/corpus.rs).
#  3. Installs the peer tools into target/bench/peers, once (later runs reuse
#     them): Alembic (pip, in a venv), dbmate (npm), sqlx-cli (cargo install,
#     a few minutes on 2 cores the first time). A peer that cannot be
#     installed is reported in the table, with the reason, not left out.
#  4. Runs the criterion micro-benchmarks (parser MB/s, graph revisions/s).
#  5. benches/measure.py times everything, interleaved, and writes
#     docs/BENCHMARKS.md and the table of the README's "Benchmarks" section:
#     the load and online suites (SQLite, PostgreSQL, MariaDB), then
#     `sqlmig schema` and `sqlmig diff` on
#     a 500-table schema (PostgreSQL and SQLite) against `pg_dump
#     --schema-only` / `sqlite3 .schema`.
#
# Needs cargo, python3 (3.8+), npm (for dbmate), a PostgreSQL server where
# a superuser may create and drop the database `sqlmig_bench`, and a MariaDB
# server (with the mariadb client) where the user may create and drop the
# database `sqlmig_bench` (without one, the MariaDB rows say why they are
# not measured).
#
# Environment:
#   BENCH_PG       server URL without a database [postgres://postgres@127.0.0.1:5432]
#   BENCH_MYSQL    MariaDB server URL without a database [mysql://root@127.0.0.1:3306]
#   BENCH_RUNS     runs per online figure [7];  BENCH_LOAD_RUNS  runs per load figure [15]
#   BENCH_SKIP_MICRO=1   skip criterion;  BENCH_SKIP_PEERS=1  do not install peers
#   BENCH_ONLY=fleet     only the fleet benchmark (benches/fleet.sh: 200
#                        PostgreSQL databases x 20 revisions, --jobs 1/4/8
#                        against a shell loop); BENCH_SKIP_FLEET=1 skips it
#   BENCH_ONLY=schema    only the schema suite (a minute; rewrites only its
#                        block of docs/BENCHMARKS.md and the README)
#   BENCH_ONLY=stairway  only `sqlmig test` on 200 revisions, SQLite and
#                        PostgreSQL, against their clients running the same
#                        up/down/up SQL; BENCH_STAIRWAY_RUNS runs each [3]
#   BENCH_ONLY=load      only the load suite (verify, heads, emit, lint against
#                        the read floor): rewrites only its block of
#                        docs/BENCHMARKS.md and the README
#   BENCH_ONLY=online    only the online suite (1,000 revisions against the
#                        floor and the peers); rewrites only its block of
#                        docs/BENCHMARKS.md and the README, keeping the rows of
#                        the databases not measured. BENCH_DATABASES picks them
#                        [sqlite,postgres,mysql], e.g. BENCH_DATABASES=mysql
# Logs of the builds and installs: target/bench/logs/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/target/bench
logs=$bench/logs
peers=$bench/peers
mkdir -p "$logs" "$peers"
cd "$root"

say() { printf 'bench: %s\n' "$*" >&2; }

# --- 1. tools and builds -----------------------------------------------------

need_apt() { # COMMAND PACKAGE
  command -v "$1" >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing $2 (apt-get) for $1"
    apt-get install -y -qq "$2" >"$logs/apt-$2.log" 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >>"$logs/apt-$2.log" 2>&1; }
  fi
  command -v "$1" >/dev/null || { say "$1 is missing: install $2"; exit 1; }
}
need_apt psql postgresql-client
need_apt pg_dump postgresql-client
need_apt /usr/bin/time time

if [[ ${BENCH_ONLY:-} == fleet ]]; then
  say "building sqlmig (release)"
  cargo build --release --locked --quiet
  exec benches/fleet.sh "$root/target/release/sqlmig"
fi

need_apt sqlite3 sqlite3
command -v python3 >/dev/null || { say "python3 is missing"; exit 1; }

pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
no_postgres=""
if ! psql -X -q -d "$pg/postgres?sslmode=disable" -c 'SELECT 1' >/dev/null 2>&1; then
  no_postgres="no PostgreSQL server at $pg"
  say "$no_postgres: the PostgreSQL rows are not measured"
fi
# The online runs recreate sqlmig_bench (PostgreSQL and MariaDB) before each
# run, the schema suite makes sqlmig_bench_schema_a, _b and _replay; drop them
# when done, also on failure.
drop_bench_databases() {
  [[ -n $no_postgres ]] || for name in sqlmig_bench sqlmig_bench_schema_a sqlmig_bench_schema_b sqlmig_bench_schema_replay; do
    psql -X -q -d "$pg/postgres?sslmode=disable" \
      -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  [[ -n $no_mysql ]] || mysql_client -e 'DROP DATABASE IF EXISTS sqlmig_bench' >/dev/null 2>&1 || true
}
mysql=${BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
no_mysql=""
mysql_client() { # the mariadb client for $mysql, over TCP (a password goes in MYSQL_PWD)
  python3 - "$mysql" "$@" <<'PY'
import os, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
env = dict(os.environ)
if url.password:
    env["MYSQL_PWD"] = urllib.parse.unquote(url.password)
argv = ["mariadb", "--protocol=TCP", "-h", url.hostname or "127.0.0.1", "-P", str(url.port or 3306),
        "-u", urllib.parse.unquote(url.username or "root"), *sys.argv[2:]]
os.execvpe(argv[0], argv, env)
PY
}
if ! command -v mariadb >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  say "installing mariadb-client (apt-get) for mariadb"
  apt-get install -y -qq mariadb-client >"$logs/apt-mariadb-client.log" 2>&1 || true
fi
if ! command -v mariadb >/dev/null; then
  no_mysql="the mariadb client is not installed"
elif ! mysql_client -e 'SELECT 1' >/dev/null 2>&1; then
  no_mysql="no MariaDB server at $mysql"
fi
[[ -z $no_mysql ]] || say "$no_mysql: the MariaDB rows are not measured"
pg_args=(--pg-admin-url "$pg/postgres?sslmode=disable"
  --pg-url "$pg/sqlmig_bench?sslmode=disable" --pg-database sqlmig_bench
  --no-postgres "$no_postgres"
  --mysql-url "$mysql" --mysql-database sqlmig_bench --no-mysql "$no_mysql")

if [[ ${BENCH_ONLY:-} == schema ]]; then
  say "building sqlmig (release)"
  cargo build --release --locked --quiet
  trap drop_bench_databases EXIT
  say "measuring the schema suite (500 tables)"
  python3 benches/measure.py --only schema \
    --root "$root" --bench "$bench" --sqlmig "$root/target/release/sqlmig" \
    --readfloor /dev/null --peers /dev/null --criterion /dev/null "${pg_args[@]}" \
    --online-runs "${BENCH_RUNS:-7}" --output docs/BENCHMARKS.md --readme README.md
  exit
fi

say "building sqlmig (release)"
cargo build --release --locked --quiet
say "building the bench crate (benches/)"
cargo build --release --locked --quiet --manifest-path benches/Cargo.toml \
  --target-dir "$root/target" --bins
sqlmig=$root/target/release/sqlmig

# --- 2. corpora ----------------------------------------------------------------

say "writing the corpora into $bench/corpus"
"$root/target/release/corpus" "$bench/corpus" 100 1000 10000
for dir in "$bench"/corpus/*/alembic; do
  cp benches/peers/alembic/env.py benches/peers/alembic/alembic.ini "$dir/"
done
# The corpora are ~100 MB of new files: flush them now, or their writeback
# competes with the timed runs (and slows every fsync of the online runs).
sync

if [[ ${BENCH_ONLY:-} == stairway ]]; then
  pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
  no_postgres=""
  psql -X -q -d "$pg/postgres?sslmode=disable" -c 'SELECT 1' >/dev/null 2>&1 ||
    no_postgres="no PostgreSQL server at $pg"
  trap 'psql -X -q -d "$pg/postgres?sslmode=disable" -c "DROP DATABASE IF EXISTS sqlmig_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  say "measuring sqlmig test on 200 revisions"
  python3 benches/measure.py --only stairway \
    --root "$root" --bench "$bench" --sqlmig "$sqlmig" \
    --readfloor "$root/target/release/readfloor" --peers /dev/null --criterion /dev/null \
    --pg-admin-url "$pg/postgres?sslmode=disable" \
    --pg-url "$pg/sqlmig_bench?sslmode=disable" --pg-database sqlmig_bench \
    --no-postgres "$no_postgres" --stairway-runs "${BENCH_STAIRWAY_RUNS:-3}" \
    --output docs/BENCHMARKS.md --readme README.md
  exit
fi
if [[ ${BENCH_ONLY:-} == load ]]; then
  say "measuring the load suite only"
  exec python3 benches/measure.py \
    --root "$root" --bench "$bench" --sqlmig "$sqlmig" \
    --readfloor "$root/target/release/readfloor" \
    --peers /dev/null --criterion /dev/null --pg-admin-url "" --pg-url "" --pg-database "" \
    --load-runs "${BENCH_LOAD_RUNS:-15}" --output docs/BENCHMARKS.md --readme README.md --only-load
fi

# --- 3. peers ------------------------------------------------------------------

# One JSON object per peer: {"path", "version"} or {"missing": reason}.
peer_json=()
ok() { peer_json+=("\"$1\": {\"path\": \"$2\", \"version\": \"$3\"}"); }
missing() { peer_json+=("\"$1\": {\"missing\": \"$2\"}"); say "peer $1 not available: $2"; }

install_alembic() {
  local venv=$peers/alembic-venv
  if [[ ! -x $venv/bin/alembic ]]; then
    say "installing Alembic 1.20.1 + psycopg2-binary + PyMySQL (pip, into $venv)"
    python3 -m venv "$venv" >"$logs/alembic.log" 2>&1 &&
      "$venv/bin/pip" install -q alembic==1.20.1 psycopg2-binary==2.9.13 PyMySQL==1.1.2 >>"$logs/alembic.log" 2>&1 ||
      { rm -rf "$venv"; return 1; }
  fi
  # Venvs made before the MariaDB rows lack the pure-Python MySQL driver.
  "$venv/bin/python" -c 'import pymysql' 2>/dev/null ||
    "$venv/bin/pip" install -q PyMySQL==1.1.2 >>"$logs/alembic.log" 2>&1 || return 1
  local sqlalchemy
  sqlalchemy=$("$venv/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')
  ok alembic "$venv/bin/alembic" "$("$venv/bin/alembic" --version | awk '{print $NF}'), SQLAlchemy $sqlalchemy"
}

install_dbmate() {
  command -v npm >/dev/null || { echo "npm is not installed"; return 1; }
  local arch
  case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  local binary=$peers/dbmate/node_modules/@dbmate/linux-$arch/bin/dbmate
  if [[ ! -x $binary ]]; then
    say "installing dbmate 2.36.0 (npm, into $peers/dbmate)"
    npm install --prefix "$peers/dbmate" --no-audit --no-fund dbmate@2.36.0 >"$logs/dbmate.log" 2>&1 ||
      return 1
  fi
  # The native binary itself, not the node shim, so node's start-up is not timed.
  ok dbmate "$binary" "$("$binary" --version | awk '{print $NF}')"
}

install_sqlx() {
  local binary=$peers/sqlx-cli/bin/sqlx
  # `.features` names what this binary was built with: one built before the
  # MariaDB rows (PostgreSQL and SQLite only) is built again.
  if [[ ! -x $binary || $(cat "$peers/sqlx-cli/.features" 2>/dev/null) != postgres,sqlite,mysql ]]; then
    say "installing sqlx-cli 0.9.0 (cargo install, PostgreSQL, SQLite and MySQL; a few minutes)"
    cargo install --quiet --locked --force sqlx-cli --version 0.9.0 --no-default-features \
      --features postgres,sqlite,mysql --root "$peers/sqlx-cli" >"$logs/sqlx-cli.log" 2>&1 || return 1
    echo postgres,sqlite,mysql >"$peers/sqlx-cli/.features"
  fi
  ok sqlx-cli "$binary" "$("$binary" --version | awk '{print $NF}')"
}

if [[ ${BENCH_SKIP_PEERS:-} == 1 ]]; then
  for peer in alembic dbmate sqlx-cli; do missing "$peer" "skipped (BENCH_SKIP_PEERS=1)"; done
else
  install_alembic || missing alembic "pip install failed (see target/bench/logs/alembic.log)"
  install_dbmate || missing dbmate "npm install failed (see target/bench/logs/dbmate.log)"
  install_sqlx || missing sqlx-cli "cargo install failed (see target/bench/logs/sqlx-cli.log)"
fi
(IFS=,; printf '{%s}\n' "${peer_json[*]}") >"$peers/peers.json"

if [[ ${BENCH_ONLY:-} == online ]]; then
  say "measuring the online suite only (${BENCH_DATABASES:-sqlite,postgres,mysql})"
  trap drop_bench_databases EXIT
  python3 benches/measure.py --only online \
    --root "$root" --bench "$bench" --sqlmig "$sqlmig" \
    --readfloor /dev/null --peers "$peers/peers.json" --criterion /dev/null "${pg_args[@]}" \
    --databases "${BENCH_DATABASES:-sqlite,postgres,mysql}" --online-runs "${BENCH_RUNS:-7}" \
    --output docs/BENCHMARKS.md --readme README.md
  exit
fi

# --- 4. micro-benchmarks -------------------------------------------------------

criterion=$root/target/criterion
if [[ ${BENCH_SKIP_MICRO:-} == 1 ]]; then
  rm -rf "$criterion"
else
  say "running the criterion micro-benchmarks"
  CARGO_TARGET_DIR=$root/target BENCH_CORPUS=$bench/corpus \
    cargo bench --locked --quiet --manifest-path benches/Cargo.toml --bench micro \
    >"$logs/criterion.log" 2>&1 || { tail -20 "$logs/criterion.log" >&2; exit 1; }
fi

# --- 5. measure ----------------------------------------------------------------

say "measuring (a few minutes: the PostgreSQL and SQLite runs apply 1,000 revisions each time)"
trap drop_bench_databases EXIT
python3 benches/measure.py \
  --root "$root" --bench "$bench" --sqlmig "$sqlmig" \
  --readfloor "$root/target/release/readfloor" \
  --peers "$peers/peers.json" --criterion "$criterion" "${pg_args[@]}" \
  --load-runs "${BENCH_LOAD_RUNS:-15}" --online-runs "${BENCH_RUNS:-7}" \
  --stairway-runs "${BENCH_STAIRWAY_RUNS:-3}" \
  --output docs/BENCHMARKS.md --readme README.md

# --- 6. fleets -------------------------------------------------------------------

if [[ ${BENCH_SKIP_FLEET:-} != 1 && -z $no_postgres ]]; then
  say "measuring the fleet benchmark (200 databases x 20 revisions)"
  benches/fleet.sh "$sqlmig"
fi
