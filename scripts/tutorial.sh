#!/usr/bin/env bash
# The README, literally, as a new user follows it: a fresh clone of this
# repository, the Install section's command, then every block of the Tutorial
# section in order (```sh blocks run as written; a ```sql block is what the
# reader writes below the header of the revision `sqlmig new` just created),
# on SQLite, then PostgreSQL and MariaDB with the one `export DATABASE_URL=`
# line pointed at a new database. Fails if any documented command fails.
#
# Servers: SQLMIG_TEST_POSTGRES_URL / SQLMIG_TEST_MYSQL_URL (the test
# defaults). Without one the run says so loudly and skips it, unless CI=true.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pg_url=${SQLMIG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
my_url=${SQLMIG_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
database="sqlmig_tutorial_$$"
work=$(mktemp -d)

# mysql://USER[:PASSWORD]@HOST[:PORT]/DB -> arguments for the mariadb client.
mysql_args() {
  local rest=${my_url#*://} user host port password=""
  user=${rest%%@*}
  if [[ $user == *:* ]]; then
    password=${user#*:}
    user=${user%%:*}
  fi
  host=${rest#*@}
  host=${host%%/*}
  port=3306
  if [[ $host == *:* ]]; then
    port=${host##*:}
    host=${host%:*}
  fi
  echo "-h $host -P $port -u $user${password:+ -p$password}"
}

cleanup() {
  psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
  # shellcheck disable=SC2046
  mariadb $(mysql_args) -e "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The fenced blocks of one README section (from `## TITLE` to the next `## `),
# turned into one bash script.
section_script() {
  awk -v title="## $1" '
    $0 == title { inside = 1; next }
    inside && /^## / { inside = 0 }
    !inside { next }
    /^```sh$/ { block = "sh"; next }
    /^```sql$/ { block = "sql"; print "write_sections <<'"'"'SQLMIG_TUTORIAL_SQL'"'"'"; next }
    /^```$/ && block != "" { if (block == "sql") print "SQLMIG_TUTORIAL_SQL"; block = ""; next }
    block != "" { print }
  ' "$clone/README.md"
}

# What the reader does in an editor: keep the header of the newest revision
# (names sort by creation) and write the sections below it.
write_sections_function='
write_sections() {
  local file
  file=$(ls migrations/*.sql | sort | tail -n 1)
  { sed "/^-- up$/,\$d" "$file"; cat; } > "$file.tutorial"
  mv "$file.tutorial" "$file"
}'

skip_or_fail() {
  if [[ ${CI:-} == true ]]; then
    echo "tutorial: $1 is not reachable, and CI=true allows no skip" >&2
    exit 1
  fi
  echo "tutorial: SKIPPED on $1: the server is not reachable" >&2
}

echo "== tutorial: a fresh clone"
clone="$work/sqlmig"
git clone --quiet "$repo" "$clone"

echo "== tutorial: the Install section"
install=$(section_script Install | head -n 1)
[[ $install == "cargo install --locked --path ." ]] || {
  echo "tutorial: the Install section's first command changed: $install" >&2
  exit 1
}
# The compiled dependencies stay in this checkout's target/ between runs.
(cd "$clone" && CARGO_INSTALL_ROOT="$work/install" CARGO_TARGET_DIR="$repo/target/tutorial" \
  bash -euo pipefail -c "$install")
export PATH="$work/install/bin:$PATH"
command -v sqlmig | grep -q "^$work/install/bin/" || {
  echo "tutorial: the installed sqlmig is not the one on PATH" >&2
  exit 1
}

tutorial=$(section_script Tutorial)
grep -q '^export DATABASE_URL=sqlite:shop.db$' <<<"$tutorial" || {
  echo "tutorial: the Tutorial section no longer exports a SQLite DATABASE_URL" >&2
  exit 1
}

run_tutorial() { # name, DATABASE_URL for the export line
  local name=$1 url=$2 dir="$work/$1"
  mkdir -p "$dir"
  echo "== tutorial on $name"
  (
    cd "$dir"
    bash -euo pipefail -c "$write_sections_function
${tutorial//export DATABASE_URL=sqlite:shop.db/export DATABASE_URL=$url}
sqlmig check"
  )
}

run_tutorial sqlite sqlite:shop.db

if psql -q "$pg_url" -c "CREATE DATABASE $database" >/dev/null 2>&1; then
  run_tutorial postgres "${pg_url%/*}/$database"
else
  skip_or_fail PostgreSQL
fi

# shellcheck disable=SC2046
if mariadb $(mysql_args) -e "CREATE DATABASE $database" >/dev/null 2>&1; then
  run_tutorial mariadb "${my_url%/*}/$database"
else
  skip_or_fail MariaDB
fi

echo "tutorial: every documented command ran"
