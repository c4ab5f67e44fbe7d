"""the database role a coder logs in as on a team server

On a server project each person connects as a PostgreSQL role of their own; the
row-level security policies find a person's codings through this column (the coder
whose ``db_role`` is ``current_user``). A file has no roles: the column stays empty
there, and nothing else changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN without a default: SQLite adds it without copying the table. A unique
    # index (not a constraint, which SQLite cannot add to a table) keeps one coder per
    # role; both databases let any number of coders have none.
    op.execute("ALTER TABLE coder ADD COLUMN db_role VARCHAR(63)")
    op.execute("CREATE UNIQUE INDEX uq_coder_db_role ON coder (db_role)")


def downgrade() -> None:
    op.execute("DROP INDEX uq_coder_db_role")
    op.execute("ALTER TABLE coder DROP COLUMN db_role")
