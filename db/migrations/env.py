"""Alembic environment: migrations run on the engine handed over in
``config.attributes['engine']`` (see db.project_file.alembic_config).

Every migration, and the statements in ``config.attributes['final_sql']`` (the
file's version stamp), run in ONE transaction: the engine emits an explicit BEGIN
(pysqlite alone would commit each CREATE TABLE on its own) and SQLite's DDL is
transactional, so an upgrade that fails or is killed at any statement leaves the file
exactly as it was. PostgreSQL's DDL is transactional too: the same holds on a server."""

from alembic import context

from db.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    # render_as_batch: SQLite can only alter tables by copying them.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        transactional_ddl=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two clients upgrading one server project at once: the second waits here,
            # then finds the schema already at the head and runs nothing (the key: "TESS").
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(1413829459)")
        context.run_migrations()
        for sql in config.attributes.get("final_sql", ()):
            connection.exec_driver_sql(sql)
    connection.commit()
