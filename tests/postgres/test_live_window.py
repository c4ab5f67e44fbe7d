"""The window on a team server shows what the others do while it is open: their
codings, a renamed code, an imported document, without reading the document again,
moving the text or losing the selection; its own changes cause no reloading. When the
server's connection is lost the status bar says so, actions are refused with a
message, and the window reconnects by itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project import live
from desktop.services.project.project import Project
from desktop.ui.workbench import live as live_ui
from desktop.ui.workbench.context import ALL
from tests.postgres.conftest import code_as
from tests.postgres.test_live import allow_connections, server_admin, terminate
from tests.ui.conftest import FakePrompts
from tests.ui.helpers import select

LONG = "\n".join(
    f"Paragraph {i}: rebels and the army met for talks in Dera\u2019a, a monitor said."
    for i in range(400)
)
SHOWN = 2000  # ms: what another client does is in the window within a second


@pytest.fixture
def long_document(team) -> int:
    with team.open("olga") as owner:
        return documents.add_document(owner, name="long.txt", text=LONG, kind="txt").id


@pytest.fixture
def window(team, long_document, qtbot, tmp_path):
    """ana's window, showing every coder's codings of the long document."""
    from desktop.ui.workbench.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Project.open(team.url("ana")), settings=settings, prompts=FakePrompts())
    qtbot.addWidget(w)
    w.resize(1200, 700)
    w.show()
    qtbot.waitExposed(w)
    w.set_view(ALL)
    w.documents_panel.select(long_document)
    assert w.document_id == long_document
    qtbot.waitUntil(lambda: w.live.mode == live.LISTENING, timeout=5000)
    yield w
    w.shutdown()


def _code_as(team, person: str, document_id: int, needle: str, code: str = "Talks"):
    from desktop.services.teams import server_team

    start = LONG.index(needle)
    with team.open(person) as p:
        me = server_team.identity(p).coder
        return codings.apply_coding(
            p, document_id=document_id, code_id=codebook.find_code(p, code).id,
            coder_id=me.id, start=start, end=start + len(needle),
        )  # fmt: skip


class Count:
    """Counts the calls of a service function the window uses."""

    def __init__(self, monkeypatch, module, name: str) -> None:
        self.n = 0
        real = getattr(module, name)

        def counted(*args, **kwargs):
            self.n += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


def test_a_coding_by_another_coder_appears_keeping_the_scroll_and_the_selection(
    team, window, long_document, qtbot, monkeypatch
):
    w = window
    # ana's own coding, chosen in the codings panel; then a passage selected further
    # down, scrolled to the middle of the document
    select(w, "Paragraph 3:")
    w.coding.apply_quick(1)
    [mine] = w.codings_by_id
    w.codings_panel.select(mine)
    selected = select(w, "Paragraph 200: rebels")
    bar = w.viewer.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2 + 7)
    scrolled = bar.value()
    texts = Count(monkeypatch, documents, "get_text")

    theirs = _code_as(team, "ben", long_document, "Paragraph 7: rebels")
    qtbot.waitUntil(lambda: theirs.id in w.codings_by_id, timeout=SHOWN)

    assert w.codings_panel.model.row_of(theirs.id) >= 0  # listed
    assert theirs.id in w.viewer.index._id  # and drawn
    assert bar.value() == scrolled
    assert w.viewer.selected_range() == selected
    assert w.codings_panel.current_coding() == mine
    assert texts.n == 0  # the text was not read again
    # the counts follow: the code's and the document's
    talks = codebook.find_code(w.project, "Talks").id
    assert w.codebook_panel.model.index_of(talks, 1).data() == "2"


def test_a_code_renamed_by_the_owner_shows_in_the_codebook(team, window, qtbot):
    w = window
    talks = codebook.find_code(w.project, "Talks").id
    with team.open("olga") as owner:
        codebook.update_code(owner, talks, name="Negotiations")
    qtbot.waitUntil(
        lambda: w.codebook_panel.model.index_of(talks, 0).data() == "Negotiations",
        timeout=SHOWN,
    )
    assert w.codes[talks].name == "Negotiations"


def test_a_document_imported_by_another_appears_in_the_list(team, window, long_document, qtbot):
    w = window
    with team.open("olga") as owner:
        new = documents.add_document(owner, name="latest.txt", text="Fresh news.", kind="txt")
    qtbot.waitUntil(lambda: w.documents_panel.model.row_of(new.id) >= 0, timeout=SHOWN)
    assert w.document_id == long_document  # the document shown stays


def test_the_document_shown_deleted_by_the_owner_gives_way_to_another(
    team, window, long_document, qtbot
):
    w = window
    with team.open("olga") as owner:
        documents.delete_document(owner, long_document)
    qtbot.waitUntil(lambda: w.document_id == 1, timeout=SHOWN)
    assert w.documents_panel.model.row_of(long_document) < 0
    assert w.viewer.text == documents.get_text(w.project, 1)
    assert w.statusBar().currentMessage() == "The document shown was deleted by someone else."


def test_the_windows_own_changes_cause_no_reloading(team, window, qtbot, monkeypatch):
    w = window
    shown: list[live.Changes] = []
    w.live.shown.connect(shown.append)
    reads = Count(monkeypatch, codings, "list_document_codings")
    texts = Count(monkeypatch, documents, "get_text")
    select(w, "Paragraph 5:")
    w.coding.apply_quick(1)
    [mine] = w.codings_by_id
    codings.set_memo(w.project, mine, "a memo")  # through the window's own project
    # another's change, committed after them: once it is shown, they would have been
    with team.open("olga") as owner:
        new = documents.add_document(owner, name="latest.txt", text="Fresh news.", kind="txt")
    qtbot.waitUntil(lambda: w.documents_panel.model.row_of(new.id) >= 0, timeout=SHOWN)
    assert [c.tables for c in shown] == [{"document"}]
    assert reads.n == 0 and texts.n == 0


def test_an_action_on_what_another_just_deleted_is_refused_and_the_view_follows(
    team, window, qtbot
):
    w = window
    talks = codebook.find_code(w.project, "Talks").id
    with team.open("olga") as owner:
        codebook.delete_code(owner, talks)
    # before the window heard of it, ana applies the code it still shows
    select(w, "Paragraph 9:")
    w.coding.apply_code(talks)
    assert w.prompts.errors and "no code" in w.prompts.errors[-1]
    qtbot.waitUntil(lambda: talks not in w.codes, timeout=SHOWN)
    assert w.codebook_panel.model.index_of(talks, 0).isValid() is False
    assert codings.list_codings(w.project) == []


def _refuse_login(team, person: str, refused: bool) -> None:
    """The server lets ``person`` in no more (as if their network were down), or again."""
    from psycopg import sql

    with server_admin(team) as admin:
        admin.execute(
            sql.SQL("ALTER ROLE {} {}").format(
                sql.Identifier(team.roles[person]), sql.SQL("NOLOGIN" if refused else "LOGIN")
            )
        )


def test_a_lost_connection_is_shown_actions_are_refused_and_the_window_reconnects(
    team, window, long_document, qtbot, monkeypatch
):
    monkeypatch.setattr(live, "BACKOFF", (0.1, 0.2))
    w = window
    select(w, "Paragraph 10:")
    w.coding.apply_quick(1)
    assert w.actions.undo.isEnabled()
    _refuse_login(team, "ana", True)
    try:
        assert terminate(team, w.project) >= 2  # the window's server processes
        qtbot.waitUntil(lambda: w.live.badge.isVisible(), timeout=10_000)
        assert w.live.badge.text() == "Connection lost, retrying…"
        # an action is refused with a message; nothing is kept to be done later
        select(w, "Paragraph 11:")
        w.coding.apply_quick(1)
        assert w.prompts.errors[-1] == live.OFFLINE
        assert len(w.codings_by_id) == 1
        assert not w.actions.undo.isEnabled()  # (an undo refused now would be lost)
        # meanwhile ben codes: the window is not there to hear it
        theirs = _code_as(team, "ben", long_document, "Paragraph 12: rebels")
    finally:
        _refuse_login(team, "ana", False)
    qtbot.waitUntil(lambda: not w.live.badge.isVisible(), timeout=10_000)
    assert w.statusBar().currentMessage() == live_ui.BACK_TEXT
    assert w.actions.undo.isEnabled()
    # what happened meanwhile is read again
    qtbot.waitUntil(lambda: theirs.id in w.codings_by_id, timeout=SHOWN)
    # and the window codes again
    select(w, "Paragraph 11:")
    w.coding.apply_quick(1)
    assert len(w.codings_by_id) == 3
    with team.open("olga") as owner:
        assert len(codings.list_codings(owner)) == 3


def test_opening_a_document_while_the_connection_is_lost_says_why(
    team, window, long_document, qtbot, monkeypatch
):
    monkeypatch.setattr(live, "BACKOFF", (0.1, 0.2))
    w = window
    allow_connections(team, False)
    try:
        terminate(team, w.project)
        qtbot.waitUntil(lambda: w.live.badge.isVisible(), timeout=10_000)
        w.documents_panel.select(1)
        assert w.statusBar().currentMessage() == live.OFFLINE
        # the document shown stays, and the list says which it is
        assert w.document_id == long_document and w.viewer.text == LONG
        assert w.documents_panel.view.currentIndex().row() == (
            w.documents_panel.model.row_of(long_document)
        )
    finally:
        allow_connections(team, True)
    qtbot.waitUntil(lambda: not w.live.badge.isVisible(), timeout=10_000)


def test_a_file_project_has_no_live_updates(tmp_path, qtbot):
    from desktop.ui.workbench.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Project.create(tmp_path / "p.tessera"), settings=settings,
                   prompts=FakePrompts())  # fmt: skip
    qtbot.addWidget(w)
    try:
        assert getattr(w, "live", None) is None
    finally:
        w.shutdown()


def test_the_codings_of_the_first_fixture_document_are_heard_too(team, window, qtbot):
    """A coding in another document than the one shown: its counts follow, the
    document shown is not read again."""
    w = window
    code_as(team, "ben", 0, 6)  # document 1
    qtbot.waitUntil(lambda: w.documents_panel.model.info(1).codings == 1, timeout=SHOWN)


def test_blind_mode_turned_on_by_the_owner_hides_the_others_codings_at_once(
    team, window, long_document, qtbot
):
    from tests.postgres.conftest import set_blind

    w = window
    theirs = _code_as(team, "ben", long_document, "Paragraph 4: rebels")
    qtbot.waitUntil(lambda: theirs.id in w.codings_by_id, timeout=SHOWN)
    set_blind(team, True)
    qtbot.waitUntil(lambda: w.blind_badge.isVisible(), timeout=SHOWN)
    assert theirs.id not in w.codings_by_id
    assert not w.actions.view[ALL].isEnabled()


def test_where_notifications_do_not_come_the_window_polls(
    team, long_document, qtbot, tmp_path, monkeypatch
):
    from desktop.ui.workbench.main_window import MainWindow

    monkeypatch.setenv(live_ui.POLL_ENV, "1")
    monkeypatch.setattr(live, "POLL_S", 0.2)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Project.open(team.url("ana")), settings=settings, prompts=FakePrompts())
    qtbot.addWidget(w)
    w.show()
    try:
        w.set_view(ALL)
        w.documents_panel.select(long_document)
        qtbot.waitUntil(lambda: w.live.mode == live.POLLING, timeout=5000)
        assert "looked for every" in w.statusBar().currentMessage()
        theirs = _code_as(team, "ben", long_document, "Paragraph 8: rebels")
        qtbot.waitUntil(lambda: theirs.id in w.codings_by_id, timeout=SHOWN)
    finally:
        w.shutdown()


def test_a_coding_saved_as_the_connection_dropped_is_said_saved_and_shown(team, window, qtbot):
    """The server commits, the answer never comes: the window says the coding was
    saved after all (it asked the server), and shows it, read again from the server."""
    from tests.postgres.test_concurrent_clients import CommitThenKill

    w = window
    select(w, "Paragraph 10:")
    with CommitThenKill(team, w.project.engine) as killer:
        w.coding.apply_quick(1)
    assert killer.fired
    said = w.prompts.errors[-1]
    assert "the server did save the last change" in said and "not saved" not in said
    [stored] = codings.list_codings(w.project)
    qtbot.waitUntil(lambda: stored.id in w.codings_by_id, timeout=SHOWN)
