"""Alembic environment of sqlmig's benchmark (`make bench`).

Runs the corpus's revisions (one file per revision, each statement through
`op.execute`) online against $DATABASE_URL, one transaction per revision
(`transaction_per_migration`), which is the structure sqlmig and the floor use.
run.sh copies this file and alembic.ini next to the generated `versions/`.
"""

import os

from alembic import context
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

url = os.environ["DATABASE_URL"]
engine = create_engine(url, poolclass=NullPool)

if url.startswith("sqlite"):
    # SQLAlchemy's documented recipe for transactional DDL on pysqlite: the
    # driver's own transaction handling is turned off and BEGIN is emitted
    # when SQLAlchemy begins, so each revision is one transaction as elsewhere.
    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
