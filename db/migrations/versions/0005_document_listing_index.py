"""a covering index for the columns the document list and the bulk paths read

SQLite stores a row's columns in order, and a document's text sits before its sha256
and length: reading those for every document (the document list, codings export and
import, agreement's document lengths) walked every text's overflow pages, a cost that
grew with the size of the corpus instead of the number of documents. The index holds
the listing columns (and the small JSON of extras, which holds import notes), sorted by
name as the list shows them, so those queries read the index alone. PostgreSQL keeps long text out of line (TOAST) already, and its b-tree
entries have a size limit a long source path could pass: there the index is not made.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:30:00
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_index(
        "ix_document_listing", "document",
        ["name", "id", "kind", "sha256", "length", "source_path", "extra"], unique=False,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_document_listing", table_name="document")
