"""Alembic environment: migrations run on the engine handed over in
``config.attributes['engine']`` (see db.project_file.alembic_config)."""

from alembic import context

from db.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    # render_as_batch: SQLite can only alter tables by copying them.
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
