"""full-text index: an FTS5 table over the documents' text, kept in step by triggers

The index reads the text from the document table (external content keyed on
document.id), so the text is stored once. Triggers add a document's words when it is
imported and take them out when it is deleted (or, should it ever change, replaced),
so no code path can leave the index behind. Projects made before it have their index
built here, once.

Case is folded (unicode61); diacritics are kept, so that the index and the positions
the search finds in the text agree.

On PostgreSQL (a server project) the same index is PostgreSQL's own text search: a GIN
index on to_tsvector('simple', text), computed from the document table itself, so it
needs no triggers; 'simple' folds case and keeps diacritics, like the SQLite index, and
does not stem. Migrations that differ by backend branch on ``op.get_bind().dialect.name``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE VIRTUAL TABLE document_fts USING fts5(text, content='document', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER document_fts_insert AFTER INSERT ON document BEGIN "
    "INSERT INTO document_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER document_fts_delete AFTER DELETE ON document BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER document_fts_update AFTER UPDATE OF text ON document BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO document_fts(rowid, text) VALUES (new.id, new.text); END",
    # Index the documents already there (projects made before the index).
    "INSERT INTO document_fts(document_fts) VALUES ('rebuild')",
)


POSTGRESQL = (
    "CREATE INDEX ix_document_fts ON document USING gin (to_tsvector('simple', text))",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRESQL:
            op.execute(sql)
        return
    for sql in STATEMENTS:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_document_fts")
        return
    for name in ("document_fts_update", "document_fts_delete", "document_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS document_fts")
