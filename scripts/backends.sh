#!/usr/bin/env bash
# Says loudly which database servers the tests can reach. The PostgreSQL and
# MariaDB tests skip themselves without a server on a user's machine; under
# CI=true a missing server is a failure, and this script fails first.
set -u

postgres_url=${SQLMIG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
mysql_url=${SQLMIG_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}

# host and port of a URL (defaults: 127.0.0.1 and the given port)
endpoint() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  local host=${rest%%:*} port=$2
  [[ $rest == *:* ]] && port=${rest##*:}
  echo "${host:-127.0.0.1} $port"
}

reachable() {
  read -r host port <<<"$(endpoint "$1" "$2")"
  timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

missing=0
for backend in "PostgreSQL|$postgres_url|5432" "MariaDB|$mysql_url|3306"; do
  IFS='|' read -r name url port <<<"$backend"
  if reachable "$url" "$port"; then
    echo "backends: $name tests run against $(endpoint "$url" "$port" | tr ' ' ':')"
  else
    missing=1
    echo "################################################################"
    echo "## SKIPPED: $name tests - no server at $(endpoint "$url" "$port" | tr ' ' ':')"
    echo "################################################################"
  fi
done

if [[ $missing == 1 && ${CI:-} == true ]]; then
  echo "CI=true: every backend must run; start the missing server(s)" >&2
  exit 1
fi
exit 0
