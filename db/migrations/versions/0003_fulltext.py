"""full-text index: an FTS5 table over the documents' text, kept in step by triggers

The index reads the text from the document table (external content keyed on
document.id), so the text is stored once. Triggers add a document's words when it is
imported and take them out when it is deleted (or, should it ever change, replaced),
so no code path can leave the index behind.

Projects made before it have their index built once. A small one (up to
BUILD_AT_UPGRADE_BYTES of file) is indexed here, which takes a fraction of a second. A
larger one would keep its window from opening for as long as the whole corpus takes
to index, so here its documents are only listed in ``document_fts_backlog`` (the
documents not yet in the index) and the index is built in the background by the
search (desktop.services.analysis.fulltext), a batch of documents per transaction, with
progress and cancel: cancelled, it resumes from the backlog at the next search or the
next opening. Meanwhile the delete and update triggers (PENDING_TRIGGERS) take out of
the index only what is in it (an FTS5 table given a 'delete' of words it never had is
corrupted); once the backlog is empty the table is dropped and the triggers become
those of a new project (TRIGGERS), so a built index looks as if it had always been.

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

BUILD_AT_UPGRADE_BYTES = 8_000_000
BACKLOG = "document_fts_backlog"

TABLE = (
    "CREATE VIRTUAL TABLE document_fts USING fts5(text, content='document', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
)
TRIGGERS = (
    "CREATE TRIGGER document_fts_insert AFTER INSERT ON document BEGIN "
    "INSERT INTO document_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER document_fts_delete AFTER DELETE ON document BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER document_fts_update AFTER UPDATE OF text ON document BEGIN "
    "INSERT INTO document_fts(document_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO document_fts(rowid, text) VALUES (new.id, new.text); END",
)
# while a backlog is left: a document's words leave the index only if they are in it
_TAKE_OUT = (
    "INSERT INTO document_fts(document_fts, rowid, text) SELECT 'delete', old.id, old.text "
    f"WHERE NOT EXISTS (SELECT 1 FROM {BACKLOG} WHERE document_id = old.id); "
    f"DELETE FROM {BACKLOG} WHERE document_id = old.id; "
)
PENDING_TRIGGERS = (
    TRIGGERS[0],
    f"CREATE TRIGGER document_fts_delete AFTER DELETE ON document BEGIN {_TAKE_OUT}END",
    "CREATE TRIGGER document_fts_update AFTER UPDATE OF text ON document BEGIN "
    f"{_TAKE_OUT}INSERT INTO document_fts(rowid, text) VALUES (new.id, new.text); END",
)
BACKLOG_TABLE = (
    f"CREATE TABLE {BACKLOG} (document_id INTEGER NOT NULL PRIMARY KEY)",
    f"INSERT INTO {BACKLOG}(document_id) SELECT id FROM document",
)


POSTGRESQL = (
    "CREATE INDEX ix_document_fts ON document USING gin (to_tsvector('simple', text))",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for sql in POSTGRESQL:
            op.execute(sql)
        return
    op.execute(TABLE)
    size = bind.exec_driver_sql("PRAGMA page_count").scalar() * bind.exec_driver_sql(
        "PRAGMA page_size"
    ).scalar()
    empty = bind.exec_driver_sql("SELECT NOT EXISTS (SELECT 1 FROM document)").scalar()
    if empty or size <= BUILD_AT_UPGRADE_BYTES:
        for sql in TRIGGERS:
            op.execute(sql)
        if not empty:  # index the documents already there
            op.execute("INSERT INTO document_fts(document_fts) VALUES ('rebuild')")
        return
    for sql in (*BACKLOG_TABLE, *PENDING_TRIGGERS):
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_document_fts")
        return
    for name in ("document_fts_update", "document_fts_delete", "document_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {BACKLOG}")
    op.execute("DROP TABLE IF EXISTS document_fts")
