"""the files documents were imported from, kept byte for byte

A PDF's or Word document's text is what Tessera codes, but the file itself is what
other tools show (a REFI-QDA PDFSource carries the PDF with its text as a
representation) and what a researcher may need back. Each imported file is kept once
per content (its sha256 is the key: two documents from the same file share it), and a
document refers to the file it was read from. Documents of older projects have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-16 09:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (each part only if missing: a database whose version was set back by hand keeps it)
    have = sa.inspect(op.get_bind())
    if not have.has_table("original_file"):
        _create_table()
    if "original_sha256" not in {c["name"] for c in have.get_columns("document")}:
        # ADD COLUMN without a default: SQLite adds it (and its reference) without
        # copying the table; the same statement on PostgreSQL
        op.execute(
            "ALTER TABLE document ADD COLUMN original_sha256 VARCHAR(64) "
            "CONSTRAINT fk_document_original_sha256_original_file "
            "REFERENCES original_file (sha256) ON DELETE RESTRICT"
        )
    op.execute("CREATE INDEX IF NOT EXISTS ix_document_original_sha256 ON document (original_sha256)")


def _create_table() -> None:
    op.create_table(
        "original_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("suffix", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(data) = size", name="ck_original_file_size"),
        sa.PrimaryKeyConstraint("sha256", name="pk_original_file"),
    )


def downgrade() -> None:
    op.drop_index("ix_document_original_sha256", table_name="document")
    op.execute("ALTER TABLE document DROP COLUMN original_sha256")
    op.drop_table("original_file")
