"""Live updates on a server project, at the service level: a client hears what the
others commit (and not its own changes), polling finds the same where notifications do
not come through, and a lost connection refuses every action until it is back."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from psycopg import sql

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import ServiceError
from desktop.services.project import live
from desktop.services.teams import server_team
from tests.postgres.conftest import code_as


def heard(listener: live.Listener, until, limit: float = 10.0) -> live.Changes:
    """What the listener hears until ``until(changes)`` holds (or ``limit`` seconds)."""
    got = live.Changes()
    deadline = time.monotonic() + limit
    while not until(got) and time.monotonic() < deadline:
        got.merge(listener.wait(0.2))
    return got


def test_a_client_hears_what_others_commit_and_not_its_own_changes(team):
    with team.open("ana") as ana, team.open("olga") as olga:
        listener = live.Listener(ana)
        try:
            assert listener.connect() == live.LISTENING
            me = server_team.identity(ana).coder.id
            talks = codebook.find_code(ana, "Talks").id
            codings.apply_coding(ana, document_id=1, code_id=talks, coder_id=me, start=0, end=6)
            # the owner's changes, committed after ana's own: heard in commit order, so
            # once they are here ana's coding would have been too
            codebook.update_code(olga, talks, name="Negotiations")
            doc = documents.add_document(olga, name="second.txt", text="Another text.", kind="txt")
            got = heard(listener, lambda c: c.documents)
        finally:
            listener.close()
    assert got.tables == {"code", "document"}  # no "coding": that change was ana's
    assert doc.id > 1


def test_codings_are_heard_with_their_document(team):
    with team.open("ana") as ana:
        listener = live.Listener(ana)
        try:
            listener.connect()
            code_as(team, "ben", 0, 6)
            got = heard(listener, lambda c: c.codings)
        finally:
            listener.close()
    assert got.codings_of(1) and not got.codings_of(2)
    assert got.coded == {1}


def test_polling_finds_changes_where_notifications_do_not_come(team, monkeypatch):
    monkeypatch.setattr(live, "POLL_S", 0.1)
    with team.open("ana") as ana:
        listener = live.Listener(ana, poll=True)
        try:
            assert listener.connect() == live.POLLING
            code_as(team, "ben", 0, 6)
            got = heard(listener, lambda c: c.codings)
            with team.open("olga") as olga:
                codebook.update_code(olga, codebook.find_code(olga, "Talks").id, name="Talk")
            got2 = heard(listener, lambda c: c.codebook)
        finally:
            listener.close()
    assert got.coded == {1} and got.tables == {"coding"}
    assert got2.tables == {"code"}


def test_polling_slows_down_when_the_fingerprint_is_slow_to_read(team, monkeypatch):
    """On a large project the fingerprint takes long to read: the listener then polls so
    that reading it keeps the server busy a POLL_SHARE-th of the time at most."""
    monkeypatch.setattr(live, "POLL_S", 0.05)
    reads: list[float] = []
    read = live.Listener._read_fingerprint

    def slow_read(self):
        reads.append(time.monotonic())
        time.sleep(0.04)  # as a project of some 300,000 codings
        return read(self)

    monkeypatch.setattr(live.Listener, "_read_fingerprint", slow_read)
    with team.open("ana") as ana:
        listener = live.Listener(ana, poll=True)
        try:
            listener.connect()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                listener.wait(0.05)
            code_as(team, "ben", 0, 6)
            got = heard(listener, lambda c: c.codings)  # still heard, a little later
        finally:
            listener.close()
    gaps = [b - a for a, b in zip(reads, reads[1:], strict=False)]
    assert gaps and min(gaps) >= live.POLL_SHARE * 0.04 * 0.9, gaps
    assert got.coded == {1}


def test_in_blind_mode_polling_finds_no_codings_of_others(team, monkeypatch):
    from tests.postgres.conftest import set_blind

    monkeypatch.setattr(live, "POLL_S", 0.1)
    set_blind(team, True)
    with team.open("ana") as ana:
        listener = live.Listener(ana, poll=True)
        try:
            listener.connect()
            code_as(team, "ben", 0, 6)  # hidden from ana
            with team.open("olga") as olga:
                codebook.add_code(olga, "Later")
            got = heard(listener, lambda c: c.codebook)
        finally:
            listener.close()
    assert got.tables == {"code"}


def _watch_hears_ben(team, project) -> Recorder:
    """A Watch on ``project``, left to choose its way; what it says and hears while ben
    codes."""
    rec = Recorder()
    watch = live.Watch(project, on_changes=rec.on_changes, on_state=rec.on_state)
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        assert rec.wait_for(lambda r: r.states)
        code_as(team, "ben", 0, 6)
        assert rec.wait_for(lambda r: r.changes.codings)
    finally:
        watch.stop()
        thread.join()
    return rec


def test_without_the_servers_notify_triggers_the_watch_polls_and_hears_others(team, monkeypatch):
    """A database whose live triggers were dropped or disabled (restored by hand from an
    old dump, a cautious administrator): LISTEN works but nothing would ever be heard."""
    monkeypatch.setattr(live, "POLL_S", 0.1)
    with team.admin() as admin:
        admin.execute("ALTER TABLE coding DISABLE TRIGGER tessera_live")
    with team.open("ana") as ana:
        rec = _watch_hears_ben(team, ana)
    assert rec.states == [(live.POLLING, "")]
    assert rec.changes.coded == {1}


def test_where_notifications_never_arrive_the_watch_polls_and_hears_others(team, monkeypatch):
    """A pooler in transaction mode takes LISTEN and then never passes a notification
    on: the listener's probe to itself does not come back."""
    monkeypatch.setattr(live, "POLL_S", 0.1)
    monkeypatch.setattr(live, "PROBE_S", 0.3)
    monkeypatch.setattr(psycopg.Connection, "notifies", lambda self, **kw: iter(()))
    with team.open("ana") as ana:
        rec = _watch_hears_ben(team, ana)
    assert rec.states == [(live.POLLING, "")]
    assert rec.changes.coded == {1}


# -- the connection is lost --------------------------------------------------------------


def server_admin(team) -> psycopg.Connection:
    """A superuser's connection to the server, outside the project's database."""
    from sqlalchemy.engine import make_url

    other = make_url(team.admin_url).set(database="postgres")
    return psycopg.connect(other.render_as_string(hide_password=False), autocommit=True)


def terminate(team, project) -> int:
    """Kill every server process of ``project`` (its pool and its listener), as a
    server restart or a dropped network would; returns how many there were."""
    with server_admin(team) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE application_name LIKE %s",
            (project.engine.client_tag + "%",),
        ).fetchall()
    return len(rows)


def allow_connections(team, allowed: bool) -> None:
    """Let no one in the project's database (a server that cannot be reached), or
    everyone again."""
    with server_admin(team) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(team.database), sql.SQL("true" if allowed else "false")
            )
        )


class Recorder:
    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []
        self.changes = live.Changes()
        self.lock = threading.Lock()

    def on_state(self, state: str, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def on_changes(self, changes: live.Changes) -> None:
        with self.lock:
            self.changes.merge(changes)

    def wait_for(self, what, limit: float = 15.0) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                if what(self):
                    return True
            time.sleep(0.02)
        return False


def test_a_lost_connection_refuses_actions_until_it_is_back(team):
    project = team.open("ana")
    rec = Recorder()
    watch = live.Watch(project, on_changes=rec.on_changes, on_state=rec.on_state,
                       backoff=(0.1, 0.2))  # fmt: skip
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        assert rec.wait_for(lambda r: r.states == [(live.LISTENING, "")])
        me = server_team.identity(project).coder.id
        talks = codebook.find_code(project, "Talks").id
        allow_connections(team, False)
        try:
            assert terminate(team, project) >= 2  # its pool's and its listener's
            assert rec.wait_for(lambda r: r.states[-1][0] == live.LOST)
            assert project.offline == live.OFFLINE
            with pytest.raises(ServiceError, match="connection to the server is lost"):
                codings.apply_coding(project, document_id=1, code_id=talks, coder_id=me,
                                     start=0, end=6)  # fmt: skip
            # it keeps trying, and says why it cannot get through
            assert rec.wait_for(lambda r: len([s for s, _ in r.states if s == live.LOST]) >= 2)
            assert "not currently accepting connections" in rec.states[-1][1]
        finally:
            allow_connections(team, True)
        assert rec.wait_for(lambda r: r.states[-1] == (live.BACK, live.LISTENING))
        assert project.offline is None
        c = codings.apply_coding(project, document_id=1, code_id=talks, coder_id=me,
                                 start=0, end=6)  # fmt: skip
    finally:
        watch.stop()
        thread.join()
        project.close()
    with team.sql("olga") as owner:
        assert owner.execute("SELECT id FROM coding").fetchall() == [(c.id,)]


def test_a_killed_idle_connection_of_the_pool_goes_unnoticed(team):
    """Only the connections the actions use were dropped (the listener's is fine): the
    next action gets a new one, and nothing is said to be lost."""
    project = team.open("ana")
    rec = Recorder()
    watch = live.Watch(project, on_changes=rec.on_changes, on_state=rec.on_state)
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        assert rec.wait_for(lambda r: r.states == [(live.LISTENING, "")])
        me = server_team.identity(project).coder.id
        talks = codebook.find_code(project, "Talks").id
        with team.admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> %s",
                (project.engine.client_tag, watch.listener.conn.info.backend_pid),
            )
        codings.apply_coding(project, document_id=1, code_id=talks, coder_id=me, start=0, end=6)
    finally:
        watch.stop()
        thread.join()
        project.close()
    assert [s for s, _ in rec.states] == [live.LISTENING]


def test_the_hook_of_a_stopped_watch_is_removed(team):
    with team.open("ana") as project:
        watch = live.Watch(project, on_changes=lambda c: None, on_state=lambda s, d: None)
        assert project.connection_lost_hooks
        watch.stop()
        watch.run()  # returns at once: it was stopped
        assert project.connection_lost_hooks == []
        assert project.offline is None


def test_a_password_never_appears_in_what_the_watch_says(team):
    with psycopg.connect(team.admin_url, autocommit=True) as admin:
        admin.execute(f"ALTER ROLE \"{team.roles['ana']}\" PASSWORD 's3cret'")
    url = team.url("ana").replace(f"{team.roles['ana']}@", f"{team.roles['ana']}:s3cret@")
    from desktop.services.project.project import Project

    project = Project.open(url)
    rec = Recorder()
    watch = live.Watch(project, on_changes=rec.on_changes, on_state=rec.on_state,
                       backoff=(0.1,))  # fmt: skip
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        assert rec.wait_for(lambda r: r.states)
        allow_connections(team, False)
        try:
            terminate(team, project)
            assert rec.wait_for(lambda r: len([s for s, _ in r.states if s == live.LOST]) >= 2)
        finally:
            allow_connections(team, True)
    finally:
        watch.stop()
        thread.join()
        project.close()
    said = " ".join(d for _, d in rec.states)
    assert "s3cret" not in said and "***@" in said
