#!/usr/bin/env python3
"""Times the commands of `make bench` and writes the table.

Called by benches/run.sh once everything is built, generated and installed.
Every figure is the median of several runs of a whole process (a fresh
process each time; the files are in the page cache). The runs of the
commands that are compared are interleaved, round by round, with the order
rotated each round, so a change of load on the machine hits all of them
alike; every ratio is computed from medians of the same run. Peak memory is
the child's maximum resident set size as the kernel reports it (wait4).

Each online run starts from a fresh database (a dropped and re-created
PostgreSQL or MariaDB database, a deleted SQLite file), and is checked
afterwards: the tool's version table must hold every revision, else the run
fails.

Output: the markdown report on stdout, in docs/BENCHMARKS.md, and the
summary table between the `<!-- bench:start -->` / `<!-- bench:end -->`
markers of the README. `--only schema` runs the schema suite alone and
rewrites only its block (`<!-- schema:start -->` / `<!-- schema:end -->`)
in both files. `--only online` runs the online suite alone (`--databases`
names which of SQLite, PostgreSQL and MariaDB) and rewrites only its block
(`<!-- online:start -->` / `<!-- online:end -->`), keeping the rows of the
databases it did not measure.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

# The targets (issue 7), checked against the table.
LOAD_TARGET_MS = 150
# Issue 19's targets for 10,000 revisions: verify under 100 ms, emit under 150 ms.
VERIFY_TARGET_MS = 100
MEMORY_TARGET_MB = 64
EMIT_TARGET_MS = 150
LINT_TARGET_MS = 1000
ONLINE_TARGET = {"postgres": 1.10, "sqlite": 1.10, "mysql": 1.10}  # issue 19: within 1.10x on each
# Issue 13: reading a schema within 2x of `pg_dump --schema-only`.
SCHEMA_TARGET = 2.0
SCHEMA_TABLES = 500
TITLES = {"postgres": "PostgreSQL", "sqlite": "SQLite", "mysql": "MariaDB"}
# The online suite's databases, in the table's order.
ONLINE_DATABASES = ("sqlite", "postgres", "mysql")


class Failed(Exception):
    """A command failed or did not do its work: the benchmark stops."""


def cpu_busy(seconds=1.0):
    """The share of the machine's CPU time that was not idle over `seconds`."""
    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    total1, idle1 = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle1) / max(total2 - total1, 1)


def wait_for_quiet(label, limit=120):
    """Waits (at most `limit` s) until other processes leave the CPU mostly
    idle, and returns the busy share seen last: the runs of a suite share the
    machine's 2 cores with nothing else, as far as we can wait for that."""
    started = time.monotonic()
    busy = cpu_busy()
    while busy > 0.15 and time.monotonic() - started < limit:
        print(f"  {label}: the CPU is {busy:.0%} busy with other work; waiting", file=sys.stderr, flush=True)
        time.sleep(4)
        busy = cpu_busy()
    return busy


def run_once(argv, env=None, cwd=None, stdin_path=None, codes=(0,)):
    """Runs argv once; returns (seconds, max RSS in bytes). Raises Failed
    unless it exits with one of `codes`."""
    with tempfile.TemporaryFile() as output:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            process = subprocess.Popen(
                argv, stdin=stdin, stdout=output, stderr=output, env=env, cwd=cwd
            )
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
        finally:
            if stdin_path:
                stdin.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in codes:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-2000:]
            raise Failed(f"{' '.join(map(str, argv))} exited {process.returncode}:\n{tail}")
        return elapsed, usage.ru_maxrss * 1024


def capture(argv, env=None):
    """The stdout of a quick helper command, stripped."""
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise Failed(f"{' '.join(map(str, argv))} exited {result.returncode}: {result.stderr}")
    return result.stdout.strip()


class Case:
    """One command of a comparison: how to prepare, run and check it."""

    def __init__(self, name, argv, *, env=None, stdin=None, prepare=None, check=None,
                 missing=None, version="", weaker=False, codes=(0,), floor=None):
        self.name = name
        # The case this one's ratio is computed against, when not the suite's first.
        self.floor = floor
        # The exit codes of a finished run (`sqlmig diff` exits 1 on a difference).
        self.codes = codes
        # Syncs less than the floor and sqlmig (a weaker durability setting).
        self.weaker = weaker
        self.argv = argv
        self.env = env
        self.stdin = stdin
        self.prepare = prepare or (lambda: None)
        self.check = check or (lambda: None)
        self.missing = missing
        self.version = version
        self.times = []
        self.memory = []

    def run(self, cwd):
        self.prepare()
        seconds, rss = run_once(self.argv, env=self.env, cwd=cwd, stdin_path=self.stdin,
                                codes=self.codes)
        self.check()
        return seconds, rss

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def median_mb(self):
        return statistics.median(self.memory) / 1e6


BUSY = {}


def compare(cases, runs, warmup, cwd, label):
    """Runs the available cases `runs` times each, interleaved."""
    BUSY[label] = wait_for_quiet(label)
    available = [case for case in cases if case.missing is None]
    for case in available:
        for _ in range(warmup):
            case.run(cwd)
    for round_number in range(runs):
        shift = round_number % len(available)
        for case in available[shift:] + available[:shift]:
            seconds, rss = case.run(cwd)
            case.times.append(seconds)
            case.memory.append(rss)
        print(f"  {label}: round {round_number + 1}/{runs} done", file=sys.stderr, flush=True)


def header(*columns):
    """A Markdown table's first two lines."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def not_measured(dialect, why, width):
    """A table row saying why a dialect was not measured."""
    return f"| {TITLES[dialect]} | (not measured) | {why} |" + " |" * (width - 3)


def ms(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def spread(case):
    return f"{ms(min(case.times))} – {ms(max(case.times))}"


def mark(ok):
    return "✅" if ok else "❌"


def env_with(**values):
    env = dict(os.environ)
    env.update(values)
    return env


# ---------------------------------------------------------------------------
# The suites
# ---------------------------------------------------------------------------


def load_suite(args, work):
    """load + verify + heads at 1k and 10k, emit at 10k, against the read floor."""
    results = {}
    # The corpus is PostgreSQL: say so, or sqlmig would find the repository's
    # own sqlmig.toml (the SQLite example project) above the work directory.
    config = work / "postgres.toml"
    config.write_text('dialect = "postgres"\n')
    for n in (1000, 10000):
        migrations = args.bench / "corpus" / f"postgres-{n}" / "migrations"
        cases = [
            Case("read floor: read every file, nothing else", [args.readfloor, migrations]),
            Case("sqlmig verify", [args.sqlmig, "--config", config, "--dir", migrations, "verify"]),
            Case("sqlmig heads", [args.sqlmig, "--config", config, "--dir", migrations, "heads"]),
        ]
        if n == 10000:
            cases.append(Case(
                "sqlmig emit --offline",
                [args.sqlmig, "--config", config, "--dir", migrations, "emit", "--offline", "--dialect", "postgres",
                 "--output", work / "emit.sql"],
            ))
            # The corpus is not written the safe way: findings exit 1, which
            # is a finished run here, not a failure.
            cases.append(Case(
                "sqlmig lint",
                ["sh", "-c", f'"{args.sqlmig}" --config "{config}" --dir "{migrations}" lint'
                             ' --quiet >/dev/null; [ $? -le 1 ]'],
            ))
        compare(cases, args.load_runs, 2, work, f"load {n}")
        results[n] = {case.name: case for case in cases}
    return results


def pg_admin(args, sql):
    capture(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", args.pg_admin_url, "-c", sql])


def pg_query(args, sql):
    return capture(["psql", "-X", "-A", "-t", "-d", args.pg_url, "-c", sql])


def mysql_client(args, database=None):
    """The mariadb client's argv and environment for the server of
    --mysql-url (a password goes in MYSQL_PWD, never on the command line),
    over TCP as every other client."""
    url = urllib.parse.urlsplit(args.mysql_url)
    argv = ["mariadb", "--protocol=TCP", "-h", url.hostname or "127.0.0.1",
            "-P", str(url.port or 3306), "-u", urllib.parse.unquote(url.username or "root")]
    env = None
    if url.password:
        env = env_with(MYSQL_PWD=urllib.parse.unquote(url.password))
    return argv + ([database] if database else []), env


def mysql_admin(args, sql):
    argv, env = mysql_client(args)
    capture(argv + ["-e", sql], env=env)


def mysql_query(args, sql):
    argv, env = mysql_client(args, args.mysql_database)
    return capture(argv + ["-N", "-B", "-e", sql], env=env)


def mysql_url(args, scheme):
    """The bench database's URL with `scheme` (mysql, mysql+pymysql)."""
    url = urllib.parse.urlsplit(args.mysql_url)
    return urllib.parse.urlunsplit((scheme, url.netloc, f"/{args.mysql_database}", "", ""))


def drop_mysql_database(args):
    if args.no_mysql:
        return
    try:
        mysql_admin(args, f"DROP DATABASE IF EXISTS {args.mysql_database}")
    except Failed as error:
        print(f"bench: {error}", file=sys.stderr)


def sqlite_query(path, sql):
    return capture(["sqlite3", path, sql])


def online_cases(args, dialect, peers, head):
    """The commands that apply the 1,000-revision corpus to a fresh database."""
    corpus = args.bench / "corpus" / f"{dialect}-1000"
    n = 1000

    # `query` runs one query on the bench database: each database's below.
    def count(table):
        def check():
            rows = query(f"SELECT count(*) FROM {table}")
            if rows != str(n):
                raise Failed(f"{table} holds {rows} rows, not {n}")
        return check

    def alembic_check():
        version = query("SELECT version_num FROM alembic_version")
        if version != head:
            raise Failed(f"alembic_version is {version}, not the head {head}")

    if dialect == "postgres":
        db_path = None
        url = args.pg_url

        def prepare():
            pg_admin(args, f"DROP DATABASE IF EXISTS {args.pg_database}")
            pg_admin(args, f"CREATE DATABASE {args.pg_database}")

        def query(sql):
            return pg_query(args, sql)

        floor = Case("floor: psql -f floor.sql",
                     ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f",
                      corpus / "floor.sql"], prepare=prepare, check=count("bench_versions"))
        sqlmig_url = url
        alembic_url = url.replace("postgres://", "postgresql+psycopg2://", 1)
        dbmate_url = url
        sqlx_url = url
    elif dialect == "mysql":
        db_path = None
        url = mysql_url(args, "mysql")

        def prepare():
            mysql_admin(args, f"DROP DATABASE IF EXISTS {args.mysql_database}")
            mysql_admin(args, f"CREATE DATABASE {args.mysql_database}")
            # Dropping a database of a thousand tables deletes as many
            # files: flushed now, not during the timed run.
            os.sync()

        def query(sql):
            return mysql_query(args, sql)

        client, client_env = mysql_client(args, args.mysql_database)
        floor = Case("floor: mariadb < floor.sql", client, env=client_env,
                     stdin=corpus / "floor.sql", prepare=prepare, check=count("bench_versions"))
        sqlmig_url = url
        alembic_url = mysql_url(args, "mysql+pymysql")
        dbmate_url = url
        sqlx_url = url
    else:
        db_path = args.work / "bench.db"
        url = f"sqlite:{db_path}"

        def prepare():
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)

        def query(sql):
            return sqlite_query(db_path, sql)

        floor = Case("floor: sqlite3 < floor.sql", ["sqlite3", "-bail", db_path],
                     stdin=corpus / "floor.sql", prepare=prepare, check=count("bench_versions"))
        sqlmig_url = url
        alembic_url = f"sqlite:///{db_path}"
        dbmate_url = url
        sqlx_url = f"sqlite://{db_path}?mode=rwc"

    cases = [
        floor,
        Case("sqlmig upgrade",
             [args.sqlmig, "--dir", corpus / "migrations", "--database-url", sqlmig_url, "upgrade"],
             prepare=prepare, check=count("sqlmig_revisions")),
    ]
    peer = peers.get("alembic", {})
    cases.append(Case(
        "Alembic upgrade head",
        [peer.get("path", "alembic"), "-c", corpus / "alembic" / "alembic.ini", "upgrade", "head"],
        env=env_with(DATABASE_URL=alembic_url), prepare=prepare, check=alembic_check,
        missing=peer.get("missing") if peer else "not installed", version=peer.get("version", ""),
    ))
    peer = peers.get("dbmate", {})
    dbmate_runs = [("dbmate migrate", dbmate_url, dialect == "sqlite")]
    if dialect == "sqlite":
        # dbmate's SQLite driver syncs the journal once per commit where the
        # sqlite3 shell and sqlmig (SQLite's default, synchronous=FULL) sync
        # it twice; `_sync=FULL` gives it the same durability.
        dbmate_runs.append(("dbmate migrate, `?_sync=FULL` (the floor's durability)",
                            f"{dbmate_url}?_sync=FULL", False))
    for name, url_for_dbmate, weaker in dbmate_runs:
        cases.append(Case(
            name,
            [peer.get("path", "dbmate"), "--url", url_for_dbmate, "--migrations-dir",
             corpus / "dbmate", "--no-dump-schema", "migrate"],
            prepare=prepare, check=count("schema_migrations"),
            missing=peer.get("missing") if peer else "not installed",
            version=peer.get("version", ""), weaker=weaker,
        ))
    peer = peers.get("sqlx-cli", {})
    cases.append(Case(
        "sqlx migrate run",
        [peer.get("path", "sqlx"), "migrate", "run", "--source", corpus / "sqlx",
         "--database-url", sqlx_url],
        prepare=prepare, check=count("_sqlx_migrations"),
        missing=peer.get("missing") if peer else "not installed", version=peer.get("version", ""),
    ))
    return cases


# When each database's online rows were measured, and under what load.
ONLINE_CONDITIONS = {}


def online_suite(args, peers):
    results = {}
    head = capture([args.sqlmig, "--dir", args.bench / "corpus" / "postgres-1000" / "migrations",
                    "heads", "--json"])
    head = json.loads(head)["heads"][0]
    for dialect in args.databases:
        missing = {"postgres": args.no_postgres, "mysql": args.no_mysql}.get(dialect)
        if missing:
            results[dialect] = missing
            continue
        cases = online_cases(args, dialect, peers, head)
        load_before = os.getloadavg()[0]
        label = f"upgrade {dialect}"
        compare(cases, args.online_runs, 1, args.work, label)
        ONLINE_CONDITIONS[dialect] = (
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC,"
            f" {args.online_runs} interleaved runs per figure, load average (1 min)"
            f" {load_before:.2f} before / {os.getloadavg()[0]:.2f} after, CPU busy with other"
            f" work at the start {BUSY[label]:.0%}")
        results[dialect] = cases
    return results


def schema_sql(dialect, variant):
    """A 500-table schema: keys, defaults, checks, a unique constraint, a
    foreign key to the table before, an index, and a view every 10 tables.
    Variant "b" differs in a few objects: a column added, an index dropped,
    a default changed, a view changed, a table added."""
    pg = dialect == "postgres"
    statements = []
    for i in range(1, SCHEMA_TABLES + 2):
        if i > SCHEMA_TABLES and variant == "a":
            break
        t = f"t{i:03}"
        columns = [
            "id bigserial PRIMARY KEY" if pg else "id INTEGER PRIMARY KEY",
            "name text NOT NULL" if pg else "name TEXT NOT NULL",
            f"qty integer NOT NULL DEFAULT {1 if variant == 'b' and i == 3 else 0} CHECK (qty >= 0)",
            "price numeric(10,2)" if pg else "price NUMERIC",
            "created_at timestamptz NOT NULL DEFAULT now()" if pg
            else "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP",
        ]
        if i > 1:
            columns.append(f"parent_id bigint REFERENCES t{i - 1:03} (id) ON DELETE CASCADE" if pg
                           else f"parent_id INTEGER REFERENCES t{i - 1:03} (id) ON DELETE CASCADE")
        if variant == "b" and i == 1:
            columns.append("note text" if pg else "note TEXT")
        columns.append(f"CONSTRAINT {t}_name UNIQUE (name)")
        statements.append(f"CREATE TABLE {t} ({', '.join(columns)});")
        if not (variant == "b" and i == 2):
            statements.append(f"CREATE INDEX {t}_created ON {t} (created_at);")
        if i % 10 == 0 and i <= SCHEMA_TABLES:
            where = "qty > 1" if variant == "b" and i == 10 else "qty > 0"
            statements.append(f"CREATE VIEW v{i:03} AS SELECT id, name, qty FROM {t} WHERE {where};")
    return "\n".join(statements) + "\n"


def schema_suite(args):
    """`sqlmig schema` and `sqlmig diff` on a 500-table schema, against the
    database's own client printing the schema (`pg_dump --schema-only`,
    `sqlite3 .schema`): the floor for reading a schema."""
    work = args.work / "schema"
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for dialect in ("postgres", "sqlite"):
        if dialect == "postgres" and args.no_postgres:
            results[dialect] = args.no_postgres
            continue
        config = work / f"{dialect}.toml"
        config.write_text(f'dialect = "{dialect}"\n')
        migrations = work / f"migrations-{dialect}"
        migrations.mkdir(exist_ok=True)
        (migrations / "0001.sql").write_text(
            f"-- revision: schema\n\n-- up\n{schema_sql(dialect, 'a')}")
        capture([args.sqlmig, "--config", config, "--dir", migrations, "hash"])
        urls = {}
        for variant in ("a", "b"):
            sql = work / f"{dialect}-{variant}.sql"
            sql.write_text(schema_sql(dialect, variant))
            if dialect == "postgres":
                name = f"{args.pg_database}_schema_{variant}"
                pg_admin(args, f"DROP DATABASE IF EXISTS {name}")
                pg_admin(args, f"CREATE DATABASE {name}")
                urls[variant] = args.pg_url.replace(f"/{args.pg_database}?", f"/{name}?", 1)
                capture(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls[variant], "-f", sql])
            else:
                path = work / f"{variant}.db"
                path.unlink(missing_ok=True)
                capture(["sqlite3", "-bail", path, f".read {sql}"])
                urls[variant] = f"sqlite:{path}"
        sqlmig = [args.sqlmig, "--config", config, "--dir", migrations]
        replay_floor = None
        if dialect == "postgres":
            floor = Case("floor: pg_dump --schema-only",
                         ["pg_dump", "--schema-only", "-d", urls["a"]])
            dev = ["--dev-url", args.pg_admin_url]
            name = f"{args.pg_database}_schema_replay"

            def fresh_replay_database(name=name):
                pg_admin(args, f"DROP DATABASE IF EXISTS {name}")
                pg_admin(args, f"CREATE DATABASE {name}")

            replay_floor = Case(
                "floor for the replay: psql -1 -f schema.sql (into a database made before the clock starts)",
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d",
                 args.pg_url.replace(f"/{args.pg_database}?", f"/{name}?", 1),
                 "-f", work / f"{dialect}-a.sql"],
                prepare=fresh_replay_database)
        else:
            floor = Case("floor: sqlite3 .schema", ["sqlite3", urls["a"][len("sqlite:"):], ".schema"])
            dev = []
        cases = [
            floor,
            Case("sqlmig schema", sqlmig + ["--database-url", urls["a"], "schema"]),
            Case("sqlmig diff URL → URL (both read live)",
                 sqlmig + ["diff", "--from", urls["a"], "--to", urls["b"]], codes=(1,)),
            Case("sqlmig diff --from migrations --to URL (replayed on a scratch database)"
                 if dialect == "postgres" else
                 "sqlmig diff --from migrations --to URL (replayed in memory)",
                 sqlmig + ["diff", "--from", "migrations", "--to", urls["b"]] + dev, codes=(1,),
                 floor=replay_floor),
        ]
        if replay_floor:
            cases.insert(3, replay_floor)
        compare(cases, args.online_runs, 1, work, f"schema {dialect}")
        results[dialect] = cases
    return results


STAIRWAY_REVISIONS = 200


def split_sections(text):
    """A revision file's up and down sections, as text."""
    up, down, current = [], [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "-- up":
            current = up
        elif stripped == "-- down":
            current = down
        elif current is not None:
            current.append(line)
    return "\n".join(up).strip(), "\n".join(down).strip()


def stairway_corpus(args, dialect):
    """The first 200 revisions of the 1,000-revision corpus (a straight
    line: the first fork comes later) in their own directory, and the floor:
    each revision's up, down and up again, each in its own transaction, as
    one script for the database's client."""
    source = sorted((args.bench / "corpus" / f"{dialect}-1000" / "migrations").glob("*.sql"))
    files = source[:STAIRWAY_REVISIONS]
    work = args.bench / "stairway" / dialect
    shutil.rmtree(work, ignore_errors=True)
    (work / "migrations").mkdir(parents=True)
    floor = []
    for path in files:
        text = path.read_text()
        if "-- transaction: false" in text:
            raise Failed(f"{path.name} runs outside a transaction: the floor would differ")
        shutil.copy(path, work / "migrations" / path.name)
        up, down = split_sections(text)
        for section in (up, down, up):
            floor.append(f"BEGIN;\n{section}\nCOMMIT;\n")
    (work / "floor.sql").write_text("\n".join(floor))
    (work / "sqlmig.toml").write_text(f'directory = "migrations"\ndialect = "{dialect}"\n')
    capture([args.sqlmig, "--config", work / "sqlmig.toml", "hash"])
    return work


def stairway_cases(args, dialect):
    """`sqlmig test` on 200 revisions against the floor: the same up, down
    and up SQL run by the database's client."""
    work = stairway_corpus(args, dialect)
    test = [args.sqlmig, "--config", work / "sqlmig.toml", "test"]
    if dialect == "postgres":
        def prepare():
            pg_admin(args, f"DROP DATABASE IF EXISTS {args.pg_database}")
            pg_admin(args, f"CREATE DATABASE {args.pg_database}")

        floor = Case("floor: psql -f floor.sql (up, down, up each revision)",
                     ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", args.pg_url, "-f",
                      work / "floor.sql"], prepare=prepare)
        test += ["--dev-url", args.pg_admin_url]
    else:
        # In memory, as `sqlmig test` replays SQLite: neither pays for disk flushes.
        floor = Case("floor: sqlite3 :memory: < floor.sql (up, down, up each revision)",
                     ["sqlite3", "-bail", ":memory:"], stdin=work / "floor.sql")
    return [floor, Case(f"sqlmig test ({STAIRWAY_REVISIONS} revisions)", test)]


def stairway_suite(args):
    results = {}
    for dialect in ("sqlite", "postgres"):
        if dialect == "postgres" and args.no_postgres:
            results[dialect] = args.no_postgres
            continue
        cases = stairway_cases(args, dialect)
        compare(cases, args.stairway_runs, 1, args.work, f"test {dialect}")
        results[dialect] = cases
    return results


def drop_schema_databases(args):
    if args.no_postgres:
        return
    for variant in ("a", "b", "replay"):
        try:
            pg_admin(args, f"DROP DATABASE IF EXISTS {args.pg_database}_schema_{variant} WITH (FORCE)")
        except Failed as error:
            print(f"bench: {error}", file=sys.stderr)


def schema_table(schema):
    lines = [
        f"### Reading and comparing a {SCHEMA_TABLES}-table schema (whole process)",
        "",
        *header("database", "command", "median", "min – max", "peak memory", "vs floor", "target"),
    ]
    for dialect, cases in schema.items():
        if isinstance(cases, str):
            lines.append(not_measured(dialect, cases, 7))
            continue
        for case in cases:
            ratio = case.median / (case.floor or cases[0]).median
            target = ""
            if dialect == "postgres" and case.name == "sqlmig schema":
                target = f"{mark(ratio <= SCHEMA_TARGET)} ≤ {SCHEMA_TARGET:g}x pg_dump"
            lines.append(f"| {TITLES[dialect]} | {case.name} | {ms(case.median)} | {spread(case)} |"
                         f" {case.median_mb:.0f} MB | {ratio:.2f}x | {target} |")
    lines += [
        "",
        f"{SCHEMA_TABLES} tables, each with a primary key, defaults, a check, a unique constraint,"
        " a foreign key to the table before and an index, and a view every 10 tables"
        " (`schema_sql` in benches/measure.py). The diff compares it with a copy that differs in"
        " five objects (a column and a table added, an index dropped, a default and a view"
        " changed), so it reads two schemas; `--from migrations` first replays the schema's"
        " revision on a scratch database (PostgreSQL: created beside `--dev-url` and dropped"
        " after; SQLite: in memory). The floor only prints one schema; on PostgreSQL the replay"
        " is compared with its own floor, psql applying the same schema in one transaction.",
    ]
    return "\n".join(lines)


def stairway_table(results, runs):
    lines = [
        f"### `sqlmig test`: the staircase of {STAIRWAY_REVISIONS} revisions",
        "",
        *header("database", "command", "median", "min – max", "per revision", "vs floor"),
    ]
    for dialect, cases in results.items():
        if isinstance(cases, str):
            lines.append(not_measured(dialect, cases, 6))
            continue
        floor = cases[0]
        for case in cases:
            per_revision = case.median / STAIRWAY_REVISIONS
            lines.append(f"| {TITLES[dialect]} | {case.name} | {ms(case.median)} | {spread(case)} |"
                         f" {per_revision * 1000:.1f} ms | {case.median / floor.median:.2f}x |")
    lines += [
        "",
        "The first 200 revisions of the corpus. The floor runs each revision's up, down and up "
        "sections with the database's client, one transaction each, and checks nothing. "
        "`sqlmig test` does the same through the engine (state rows, lock, plan) on a scratch "
        "database (PostgreSQL: created and dropped by the run; SQLite: in memory) and reads the "
        "whole schema from the catalog three times per revision to compare it, a reading that "
        f"grows with the schema. Medians of {runs} interleaved runs.",
    ]
    return "\n".join(lines)


def stairway_block(args, results):
    return (stairway_table(results, args.stairway_runs)
            + f"\n\nMachine load (1-minute average) when measured: {os.getloadavg()[0]:.1f} on"
              f" {os.cpu_count()} CPUs.")


def write_stairway(args, block):
    """Writes the block between the stairway markers of the README and
    docs/BENCHMARKS.md, appending it where there are none yet."""
    start, end = "<!-- stairway:start -->", "<!-- stairway:end -->"
    for path in (args.readme, args.output):
        if path is None or not path.exists():
            continue
        if not replace_between(path, start, end, block):
            path.write_text(path.read_text().rstrip() + f"\n\n{start}\n{block}\n{end}\n")


def micro_results(args):
    """Criterion's medians, from its estimates.json files."""
    rows = []
    root = args.criterion
    if not root.is_dir():
        return rows
    for estimates in sorted(root.glob("*/*/new/estimates.json")):
        benchmark = json.loads((estimates.parent / "benchmark.json").read_text())
        median_ns = json.loads(estimates.read_text())["median"]["point_estimate"]
        throughput = benchmark.get("throughput") or {}
        if "Bytes" in throughput:
            rate = f"{throughput['Bytes'] / median_ns * 1e9 / 1e6:.1f} MB/s"
        elif "Elements" in throughput:
            rate = f"{throughput['Elements'] / median_ns * 1e9:,.0f} revisions/s"
        else:
            rate = ""
        rows.append((benchmark["full_id"], f"{median_ns / 1e6:.2f} ms", rate))
    return rows


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


def machine(args, peers, load_before, load_after):
    def first_line(argv):
        try:
            return capture(argv).splitlines()[0]
        except (Failed, OSError, IndexError):
            return "unknown"

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    commit = first_line(["git", "-C", str(args.root), "rev-parse", "--short", "HEAD"])
    # What this report itself rewrites does not count as a change.
    dirty = first_line(["git", "-C", str(args.root), "status", "--porcelain", "--untracked-files=no",
                        "--", ".", ":!README.md", ":!docs/BENCHMARKS.md"])
    server = "not reachable"
    if not args.no_postgres:
        server = first_line(["psql", "-X", "-A", "-t", "-d", args.pg_admin_url, "-c",
                             "SHOW server_version"])
    mariadb = "not reachable"
    if not args.no_mysql:
        client, env = mysql_client(args)
        try:
            mariadb = capture(client + ["-N", "-B", "-e", "SELECT VERSION()"], env=env)
        except (Failed, OSError):
            mariadb = "unknown"
    lines = [
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {memory}",
        f"- sqlmig: {first_line([args.sqlmig, '--version'])} (commit {commit}"
        f"{', with uncommitted changes' if dirty != 'unknown' and dirty else ''}), release build;"
        f" {first_line(['rustc', '--version'])}",
        f"- PostgreSQL server {server}; psql {first_line(['psql', '--version']).split()[2]};"
        f" sqlite3 {first_line(['sqlite3', '--version']).split()[0]}; MariaDB server {mariadb},"
        f" client {first_line(['mariadb', '--version'])}; Python {platform.python_version()}",
        "- peers: " + "; ".join(
            f"{name} {info['version']}" if "missing" not in info else f"{name}: {info['missing']}"
            for name, info in sorted(peers.items())),
        f"- load average (1 min) before / after: {load_before:.2f} / {load_after:.2f};"
        f" CPU busy with other work when each suite started: "
        + ", ".join(f"{label} {busy:.0%}" for label, busy in BUSY.items())
        + f"; runs per figure: {args.load_runs} (load), {args.online_runs} (online)",
    ]
    return "\n".join(lines)


def load_table(load):
    lines = [
        "| N revisions | command | median | min – max | peak memory | vs read floor | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, cases in load.items():
        floor = cases["read floor: read every file, nothing else"]
        for name, case in cases.items():
            target = ""
            if n == 10000 and name in ("sqlmig verify", "sqlmig heads"):
                limit = VERIFY_TARGET_MS if name == "sqlmig verify" else LOAD_TARGET_MS
                ok = case.median * 1000 < limit and case.median_mb < MEMORY_TARGET_MB
                target = f"{mark(ok)} < {limit} ms, < {MEMORY_TARGET_MB} MB"
            elif name == "sqlmig lint":
                target = f"{mark(case.median * 1000 < LINT_TARGET_MS)} < {LINT_TARGET_MS} ms"
            elif name == "sqlmig emit --offline":
                target = f"{mark(case.median * 1000 < EMIT_TARGET_MS)} < {EMIT_TARGET_MS} ms"
            ratio = "1.00x" if case is floor else f"{case.median / floor.median:.2f}x"
            lines.append(f"| {n:,} | {name} | {ms(case.median)} | {spread(case)} |"
                         f" {case.median_mb:.0f} MB | {ratio} | {target} |")
    small, large = load[1000], load[10000]
    for name in ("sqlmig verify", "sqlmig heads"):
        growth = large[name].median / small[name].median
        lines.append(f"| 1k → 10k | {name}: growth | {growth:.1f}x for 10x the revisions | | | |"
                     f" {mark(growth <= 10)} ≤ 10x (linear) |")
    return "\n".join(lines)


def online_rows(dialect, cases):
    """The online table's rows of one database."""
    if isinstance(cases, str):
        return [not_measured(dialect, cases, 7)]
    lines = []
    floor, sqlmig = cases[0], cases[1]
    measured_peers = [case for case in cases[2:] if case.missing is None]
    for case in cases:
        name = f"{case.name} ({case.version})" if case.version else case.name
        if case.weaker:
            name += " ‡"
        if case.missing is not None:
            lines.append(f"| {TITLES[dialect]} | {name} | not measured: {case.missing} | | | | |")
            continue
        ratio = case.median / floor.median
        faster, target = "", ""
        if case is sqlmig:
            limit = ONLINE_TARGET[dialect]
            beats = all(sqlmig.median < peer.median for peer in measured_peers)
            target = (f"{mark(ratio <= limit)} ≤ {limit}x floor;"
                      f" {mark(beats)} faster than every peer measured")
            if any(peer.weaker for peer in measured_peers):
                same = all(sqlmig.median < peer.median
                           for peer in measured_peers if not peer.weaker)
                target += f"; {mark(same)} faster than every peer that syncs as much"
        elif case is not floor:
            faster = f"{case.median / sqlmig.median:.2f}x"
        lines.append(f"| {TITLES[dialect]} | {name} | {ms(case.median)} | {spread(case)} |"
                     f" {ratio:.2f}x | {faster} | {target} |")
    return lines


DBMATE_SQLITE_NOTE = (
    "‡ dbmate's SQLite driver runs with SQLite's `synchronous=NORMAL` behaviour: 3 disk "
    "flushes per commit where the sqlite3 shell (the floor), sqlmig and Alembic make 4 "
    "(SQLite's default, `synchronous=FULL`, also syncs the journal after its header; sqlx "
    "makes 8). "
    "On this machine the flushes are most of every figure; the `_sync=FULL` row is dbmate "
    "at the same durability. sqlmig keeps SQLite's default: it does not weaken the "
    "durability of the user's database to win a benchmark.")

MARIADB_NOTE = (
    "MariaDB commits each DDL statement implicitly, for the floor and every tool alike. sqlmig "
    "runs a revision holding DDL statement by statement and makes each step durable, so that a "
    "run cut mid-revision resumes where it stopped: a `running` row before the first statement, "
    "a progress update after each statement but the last, and the update that marks it applied "
    "with the last one's progress. For k statements that is k + 1 commits more than the floor, "
    "which records the revision once, at its end, as dbmate does; sqlx also writes a row before "
    "each migration (marked unfinished) and updates it twice after. A revision of data "
    "statements only is one transaction, as on the other databases.")

ONLINE_START, ONLINE_END = "<!-- online:start -->", "<!-- online:end -->"
LOAD_START, LOAD_END = "<!-- load:start -->", "<!-- load:end -->"


def load_block(load, load_before, load_after):
    """The load suite's block: its table and the load it was measured under."""
    return (
        "### Load, verify, heads and emit (PostgreSQL corpus, whole process)\n\n"
        f"{load_table(load)}\n\n"
        f"Measured {datetime.date.today()}, {len(next(iter(load[10000].values())).times)}"
        " interleaved runs per figure,"
        f" load average (1 min) {load_before:.2f} before / {load_after:.2f} after."
    )


def online_block(online, old=""):
    """The online suite's block: its table, notes, and when each database was
    measured. The rows (and the line saying when) of a database not measured
    this time are taken from `old`, the block already written."""
    kept_rows, kept_when, kept_notes = {}, {}, []
    for line in old.splitlines():
        for dialect, title in TITLES.items():
            if line.startswith(f"| {title} |"):
                kept_rows.setdefault(dialect, []).append(line)
            elif line.startswith(f"- {title}: "):
                kept_when[dialect] = line
        if line.startswith(("‡ ", "MariaDB commits")):
            kept_notes.append(line)
    lines = ["### Online upgrade of 1,000 revisions, fresh database each run", "",
             *header("database", "command", "median", "min – max", "vs floor",
                     "sqlmig is faster by", "target")]
    notes, when = [], []
    for dialect in ONLINE_DATABASES:
        if dialect in online:
            lines += online_rows(dialect, online[dialect])
            cases = online[dialect]
            if isinstance(cases, str):
                continue
            if any(case.weaker and case.missing is None for case in cases):
                notes.append(DBMATE_SQLITE_NOTE)
            if dialect == "mysql":
                notes.append(MARIADB_NOTE)
            if dialect in ONLINE_CONDITIONS:
                when.append(f"- {TITLES[dialect]}: {ONLINE_CONDITIONS[dialect]}.")
        elif dialect in kept_rows:
            lines += kept_rows[dialect]
            if dialect in kept_when:
                when.append(kept_when[dialect])
            keep = {"sqlite": "‡ ", "mysql": "MariaDB commits"}.get(dialect)
            notes += [note for note in kept_notes if keep and note.startswith(keep)]
    for paragraph in notes:
        lines += ["", paragraph]
    if when:
        lines += ["", "Measured:", "", *when]
    return "\n".join(lines)


def micro_table(rows):
    if not rows:
        return "_criterion micro-benchmarks not run (BENCH_SKIP_MICRO=1)_"
    lines = ["| benchmark | median per iteration | throughput |", "|---|---|---|"]
    lines += [f"| {name} | {median} | {rate} |" for name, median, rate in rows]
    return "\n".join(lines)


def corpus_line(args):
    facts = []
    for n in (1000, 10000):
        info = json.loads((args.bench / "corpus" / f"postgres-{n}" / "corpus.json").read_text())
        facts.append(f"{n:,} revisions = {info['bytes'] / 1e6:.1f} MB, {info['statements']:,}"
                     f" statements, {info['merges']} merges")
    return "; ".join(facts)


SCHEMA_START, SCHEMA_END = "<!-- schema:start -->", "<!-- schema:end -->"


def schema_only(args):
    """`BENCH_ONLY=schema`: the schema suite, written into its block of
    docs/BENCHMARKS.md and the README (appended where the block is missing)."""
    load_before = os.getloadavg()[0]
    try:
        schema = schema_suite(args)
    except Failed as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        drop_schema_databases(args)
    table = (f"{schema_table(schema)}\n\nLoad average (1 min) before / after:"
             f" {load_before:.2f} / {os.getloadavg()[0]:.2f}; CPU busy with other work when each"
             " suite started: " + ", ".join(f"{label} {busy:.0%}" for label, busy in BUSY.items())
             + f"; {args.online_runs} runs per figure.")
    print(table)
    for path in (args.output, args.readme):
        if path is None or not path.exists():
            continue
        if not replace_between(path, SCHEMA_START, SCHEMA_END, table):
            path.write_text(f"{path.read_text().rstrip()}\n\n{SCHEMA_START}\n{table}\n{SCHEMA_END}\n")
    return 0


def online_only(args):
    """`BENCH_ONLY=online`: the online suite on `--databases`, written into
    its block of docs/BENCHMARKS.md and the README; the rows of the other
    databases stay as they were."""
    peers = json.loads(args.peers.read_text())
    try:
        online = online_suite(args, peers)
    except Failed as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        drop_mysql_database(args)
    print(online_block(online))
    for path in (args.output, args.readme):
        if path is None or not path.exists():
            continue
        content = path.read_text()
        old = content.split(ONLINE_START, 1)[1].split(ONLINE_END, 1)[0] \
            if ONLINE_START in content and ONLINE_END in content else ""
        if not replace_between(path, ONLINE_START, ONLINE_END, online_block(online, old)):
            print(f"bench: no online markers in {path}; it was not updated", file=sys.stderr)
    return 0


def replace_between(path, start, end, text):
    content = path.read_text()
    if start not in content or end not in content:
        return False
    before, rest = content.split(start, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{start}\n{text}\n{end}{after}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the repository")
    parser.add_argument("--bench", type=Path, required=True, help="target/bench")
    parser.add_argument("--sqlmig", type=Path, required=True)
    parser.add_argument("--readfloor", type=Path, required=True)
    parser.add_argument("--peers", type=Path, required=True, help="peers.json written by run.sh")
    parser.add_argument("--criterion", type=Path, required=True, help="criterion's output folder")
    parser.add_argument("--pg-admin-url", required=True)
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--pg-database", required=True)
    parser.add_argument("--no-postgres", default="", help="why PostgreSQL is not measured")
    parser.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306",
                        help="MariaDB server URL without a database")
    parser.add_argument("--mysql-database", default="sqlmig_bench")
    parser.add_argument("--no-mysql", default="", help="why MariaDB is not measured")
    parser.add_argument("--databases", default=",".join(ONLINE_DATABASES),
                        help="the online suite's databases, comma-separated (sqlite,postgres,mysql)")
    parser.add_argument("--load-runs", type=int, default=15)
    parser.add_argument("--online-runs", type=int, default=5)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--readme", type=Path)
    parser.add_argument("--stairway-runs", type=int, default=3)
    parser.add_argument("--only", choices=["schema", "stairway", "online"],
                        help="measure one suite and rewrite only its block")
    parser.add_argument("--only-load", action="store_true",
                        help="only the load suite, written into its block")
    args = parser.parse_args()
    args.work = args.bench / "work"
    args.work.mkdir(parents=True, exist_ok=True)
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = sorted(set(args.databases) - set(ONLINE_DATABASES))
    if unknown:
        parser.error(f"unknown database {', '.join(unknown)}: pick from {', '.join(ONLINE_DATABASES)}")
    if args.only_load:
        load_before = os.getloadavg()[0]
        try:
            load = load_suite(args, args.work)
        except Failed as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
        block = load_block(load, load_before, os.getloadavg()[0])
        print(block)
        for path in (args.output, args.readme):
            if path is not None and path.exists() and not replace_between(path, LOAD_START, LOAD_END, block):
                print(f"bench: no load markers in {path}; it was not updated", file=sys.stderr)
        return 0

    if args.only == "schema":
        return schema_only(args)

    if args.only == "online":
        return online_only(args)

    if args.only == "stairway":
        try:
            block = stairway_block(args, stairway_suite(args))
        except Failed as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
        print(block)
        write_stairway(args, block)
        return 0

    peers = json.loads(args.peers.read_text())
    load_before = os.getloadavg()[0]
    try:
        load = load_suite(args, args.work)
        online = online_suite(args, peers)
        schema = schema_suite(args)
        stairway = stairway_block(args, stairway_suite(args))
    except Failed as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        drop_schema_databases(args)
        drop_mysql_database(args)
    load_after = os.getloadavg()[0]

    tables = (
        f"{LOAD_START}\n{load_block(load, load_before, load_after)}\n{LOAD_END}\n\n"
        f"{ONLINE_START}\n{online_block(online)}\n{ONLINE_END}\n\n"
        f"{SCHEMA_START}\n{schema_table(schema)}\n{SCHEMA_END}"
    ).rstrip()
    report = f"""# Benchmarks

Written by `make bench` (benches/run.sh); do not edit by hand. Every figure is
the median of several runs of a whole process, the compared commands run
interleaved in the same session, and each ratio is computed from those
medians. Lower is better.

## Machine

{machine(args, peers, load_before, load_after)}

## Corpus

Generated by `benches/src/corpus.rs` (fixed seed): {corpus_line(args)}. A mix
of tables with keys, defaults, checks and foreign keys, indexes, added
columns, constraints, data inserts and updates, views, and functions with
dollar-quoted bodies plus triggers (PostgreSQL; MariaDB and SQLite get
triggers in `-- statement-begin` blocks), with two branches and a merge every
250 revisions; the MariaDB corpus is the same in the mysql dialect. The floor is the same statements as one plain script for the
database's own client, one transaction per revision (`BEGIN;` statements,
an insert into a plain version table, `COMMIT;`). The peers run the same SQL
in their own formats: Alembic through `op.execute`, one statement at a time,
one revision per file, `transaction_per_migration=True`; dbmate and sqlx
each revision's up section as one migration file, in a transaction.

{tables}

<!-- stairway:start -->
{stairway}
<!-- stairway:end -->

### Micro-benchmarks (criterion, in process)

{micro_table(micro_results(args))}

## Where the time goes

Profiled with `valgrind --tool=callgrind` (instruction counts, which do not
depend on the machine's load) when the targets were set up, on the 10,000
revision corpus:

- `verify`: about 650 million instructions. 70% run in the loader's two
  parsing threads: blake3 checksums (of the file, the up and down sections
  and the revision: a quarter of all), the statement scanner
  (`src/revision/fast.rs`, 13%), copying statements and counting their lines
  and columns (15%). The rest is sequential: listing and sorting the
  directory (11%), reading and checking `sqlmig.sum` (8%), building the graph
  and freeing it (7%). On top, every file costs an `open`, two `read`s and a
  `close`: the read floor row. Before the scanner, the pest grammar alone was
  2.7 of 3.2 billion instructions (84%); it still reads any file the scanner
  is not sure about, and every file with a mistake. What would cut more:
  overlapping the listing and `sqlmig.sum` with the parse, statements kept as
  ranges of the file's text instead of copies, fewer allocations per header.
  Since then: `sqlmig.sum` is read beside the walk, each file hashed once,
  the statements the transaction cannot hold are looked for on the parsing
  threads, and the binary allocates with mimalloc (the loader's hundreds of
  thousands of small allocations on two threads; the system allocator also
  grew each thread's heap by a few pages at a time, thousands of `mprotect`
  calls). Peak memory rises with it (mimalloc commits its arenas eagerly):
  see the table.
- `emit --offline`: the load above plus writing 19 MB of SQL. The revisions
  are rendered in parallel, one part per core (each guard's checks first,
  so that SQLite's numbered guard triggers come out as one sequence), and
  the parts are written one after the other, never joined into one string;
  the script is byte for byte what one thread wrote before.
- Online upgrade, PostgreSQL: each revision is 3 round trips (BEGIN, the
  state table's lock and the guard; the statements; the state row and
  COMMIT, each group sent at once), against BEGIN, each statement, the insert
  and COMMIT one at a time for the floor: the server's work and the WAL
  flush of every COMMIT are the same for all, and dominate.
- Online upgrade, SQLite: the four disk flushes of every commit (journal,
  directory, database, journal header) are the floor and sqlmig alike; see
  the note under the table for dbmate.
- Online upgrade, MariaDB: 743 of the 1,000 revisions hold DDL, which
  MariaDB commits implicitly, so sqlmig runs them statement by statement,
  each step durable: for k statements (2.4 on average) the guard, the
  `running` row, the k statements, k - 1 progress updates and the update
  that marks it applied, 2k + 2 round trips and 2k + 1 commits, against
  k + 3 round trips (BEGIN, the statements, the version row, COMMIT) and
  k + 1 commits for the floor. The 257 others (data, merges) are one
  transaction each: 6 round trips (BEGIN, the guard, the statements, the
  state row, COMMIT) against 5, one commit each. Over the corpus, counted
  with strace and the server's status counters: 6,600 requests against
  5,291, 6,047 InnoDB commits (`Handler_commit`) against 3,265, 8,337 redo
  log writes against 6,487. The extra commits, each a redo log flush, are
  the gap to the floor and to dbmate (which sends each migration as one
  query and records it once); they are what lets a run cut mid-revision
  resume, and sqlx makes as many (6,010 commits). It is their statements
  more than their flushes: with `innodb_flush_log_at_trx_commit = 2` (no
  flush per commit, set for one experiment, 3 interleaved runs) the floor
  took 4.8 s and sqlmig 6.0 s, the same second apart as with flushes. On
  this server an autocommitted one-row UPDATE of a state-table-like table
  costs 0.25-0.4 ms from the client (2,000 in a row: 0.49-0.83 s over two
  measurements; 0.37-0.43 s without the flush) and a primary-key SELECT
  0.02-0.1 ms: the guard SELECT of each revision is at most 0.1 s of the
  corpus, the progress and state writes the rest.

## Method and noise

- Load, verify, heads, emit: `sqlmig --dir DIR verify|heads|emit`, a fresh
  process per run, files in the page cache (cold process, warm cache). The
  read floor is a process that only reads the same files, on as many threads
  as sqlmig's loader. Peak memory is the maximum resident set size (wait4).
- Online: each run starts from a fresh database (PostgreSQL and MariaDB:
  DROP and CREATE DATABASE, then `sync`; SQLite: the file deleted), not
  timed, and is checked afterwards (the tool's version table holds all 1,000
  revisions). PostgreSQL over TCP on 127.0.0.1 with `sslmode=disable` for
  every client, default server settings (`synchronous_commit = on`, so each
  revision's COMMIT waits for its WAL flush: the disk's flush latency
  dominates all these figures). MariaDB over TCP on 127.0.0.1 for every
  client (the mariadb client with `--protocol=TCP`, Alembic through PyMySQL),
  the server's settings as found (`innodb_flush_log_at_trx_commit = 1`:
  every commit, implicit ones included, waits for its redo log flush).
- The runs are interleaved and their order rotates each round, so load from
  other processes spreads over every command alike; min – max shows the
  noise. Compare ratios, not absolute times, across machines.
"""
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    if args.readme and not replace_between(
        args.readme, "<!-- bench:start -->", "<!-- bench:end -->", tables
    ):
        print(f"bench: no bench markers in {args.readme}; the README was not updated",
              file=sys.stderr)
    write_stairway(args, stairway)
    return 0


if __name__ == "__main__":
    sys.exit(main())
