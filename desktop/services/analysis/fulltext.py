"""The full-text index of a project made before it, built in the background.

A large project upgraded to the index keeps its documents in a backlog (see the
migration db/migrations/versions/0003_fulltext.py) rather than indexing them while its
window waits to open. ``build`` indexes the backlog a batch of documents per
transaction, with progress and cancel; cancelled or interrupted, the index holds the
batches done and the backlog the rest, so the next build resumes there. The last batch
drops the backlog and gives the project the triggers of a new one.

A search that needs the index while documents are left out of it would silently miss
their hits: ``require`` refuses it (IndexNotReady, with how far the build is), and the
Analysis window and the command line build the index first. A server project
(PostgreSQL) has no backlog: its text-search index is computed from the documents
themselves."""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import cache

from db.engine import qmark_connection
from db.project_file import MIGRATIONS
from desktop.core import wording
from desktop.services.analysis.progress import IsCancelled, Progress, step
from desktop.services.errors import ServiceError

BATCH_CHARS = 2_000_000  # text indexed per transaction: a cancel waits for one batch at most
_building = threading.Lock()  # one batch at a time in this process


@cache
def _migration():
    """The migration that made the index: its triggers are the one statement of them."""
    path = MIGRATIONS / "versions" / "0003_fulltext.py"
    spec = importlib.util.spec_from_file_location("tessera_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class IndexState:
    pending: int  # documents not yet in the index
    total: int  # documents in the project

    @property
    def ready(self) -> bool:
        return self.pending == 0

    @property
    def fraction(self) -> float:
        return self.indexed / self.total if self.total else 1.0

    @property
    def indexed(self) -> int:
        return self.total - self.pending

    def describe(self) -> str:
        return f"indexing… {self.indexed:,} of {wording.count(self.total, 'document')}"


class IndexNotReady(ServiceError):
    """A search that needs the full-text index asked before it was built."""

    def __init__(self, state: IndexState, read_only: bool = False) -> None:
        if read_only:
            message = (
                f"the full-text index of this project is not built yet ({state.indexed:,} of "
                f"{wording.count(state.total, 'document')} indexed) and the project is open "
                "read-only: open it once with write access to build it, or search with a "
                "regular expression"
            )
        else:
            message = (
                f"the full-text index is being built ({state.describe()}); "
                "search again when it is done"
            )
        super().__init__(message)
        self.state = state


def _has_backlog(conn) -> bool:
    backlog = _migration().BACKLOG
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (backlog,)
        ).fetchone()
        is not None
    )


def state(project) -> IndexState:
    """How many documents the index still lacks, of how many."""
    with project.session() as s:
        conn = qmark_connection(s)
        total = conn.execute("SELECT count(*) FROM document").fetchone()[0]
        if s.bind.dialect.name == "postgresql" or not _has_backlog(conn):
            return IndexState(0, total)
        pending = conn.execute(f"SELECT count(*) FROM {_migration().BACKLOG}").fetchone()[0]
    return IndexState(pending, total)


def require(project) -> None:
    """Raise IndexNotReady while documents are left out of the index."""
    with project.session() as s:
        if s.bind.dialect.name == "postgresql" or not _has_backlog(qmark_connection(s)):
            return
    st = state(project)
    if not st.ready:
        raise IndexNotReady(st, read_only=bool(getattr(project, "read_only", None)))


def build(project, progress: Progress = None, cancelled: IsCancelled = None) -> IndexState:
    """Index the documents of the backlog, a batch per transaction, reporting each
    step's IndexState to ``progress`` (nothing if the index is complete). Raises
    Cancelled between batches once ``cancelled()`` is true: what was indexed stays."""
    mig = _migration()
    st = state(project)
    if st.ready or getattr(project, "read_only", None):
        return st  # read-only: nothing can be written (require says so)
    total, done = st.total, st.indexed
    if progress is not None:
        progress(st)
    while True:
        step(None, cancelled, 0.0)
        with _building, project.session() as s:
            conn = qmark_connection(s)
            # the write lock first: two builds (two windows, two processes) never index
            # the same documents twice, the second finds them gone from the backlog
            conn.execute("BEGIN IMMEDIATE")
            if not _has_backlog(conn):
                break  # another build (another window, another process) finished it
            ids, chars = [], 0
            rows = conn.execute(
                f"SELECT b.document_id, d.length FROM {mig.BACKLOG} b "
                "JOIN document d ON d.id = b.document_id ORDER BY b.document_id LIMIT 1000"
            )
            for did, length in rows:
                ids.append(did)
                chars += length or 0
                if chars >= BATCH_CHARS:
                    break
            if ids:
                marks = ",".join("?" * len(ids))
                conn.execute(
                    "INSERT INTO document_fts(rowid, text) "
                    f"SELECT id, text FROM document WHERE id IN ({marks})",
                    ids,
                )
                conn.execute(f"DELETE FROM {mig.BACKLOG} WHERE document_id IN ({marks})", ids)
                done += len(ids)
            else:
                # backlog empty (or naming deleted documents only): the index is whole
                _finish(conn, mig)
        if not ids:
            break
        if progress is not None:
            progress(IndexState(max(0, total - done), total))
    final = state(project)
    if progress is not None and final.indexed != done:
        progress(final)  # documents imported or deleted meanwhile
    return final


def _finish(conn, mig) -> None:
    """In the batch's transaction: no backlog, the triggers of a new project."""
    conn.execute(f"DELETE FROM {mig.BACKLOG}")
    conn.execute(f"DROP TABLE {mig.BACKLOG}")
    for name in ("document_fts_delete", "document_fts_update"):
        conn.execute(f"DROP TRIGGER {name}")
    for sql in mig.TRIGGERS[1:]:
        conn.execute(sql)
