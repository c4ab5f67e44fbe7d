"""Many clients on one server project at once: every coding stored exactly once, and a
connection the server kills in the middle of an action leaves nothing half-written and
tells the client so in a sentence."""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import Engine, event

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project.server import table_digests
from desktop.services.review import review
from desktop.services.teams import server_team
from tests.postgres.conftest import code_as, coder_ids, set_blind

PER_CLIENT = 40


def _run_at_once(jobs) -> list[BaseException]:
    """Run each job in a thread of its own, all released together; the errors raised."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize("clients", [2, 3])
def test_clients_coding_at_once_lose_nothing_and_store_nothing_twice(team, clients):
    people = ["ana", "ben", "cy"][:clients]
    projects = {person: team.open(person) for person in people}
    try:
        me = {person: server_team.identity(p).coder.id for person, p in projects.items()}
        talks = codebook.find_code(projects["ana"], "Talks").id
        made: dict[str, list[int]] = {person: [] for person in people}

        def coder(person):
            def job() -> None:
                p = projects[person]
                for i in range(PER_CLIENT):
                    c = codings.apply_coding(p, document_id=1, code_id=talks,
                                             coder_id=me[person], start=i, end=i + 5)  # fmt: skip
                    made[person].append(c.id)

            return job

        assert _run_at_once([coder(person) for person in people]) == []
    finally:
        for p in projects.values():
            p.close()
    with team.sql("olga") as owner:
        rows = owner.execute("SELECT id, coder_id, start FROM coding").fetchall()
        audited = owner.execute(
            "SELECT entity_id FROM audit_log WHERE entity = 'coding' AND action = 'create'"
        ).fetchall()
    assert len(rows) == clients * PER_CLIENT  # nothing lost, nothing twice
    for person in people:
        assert sorted(s for _, c, s in rows if c == me[person]) == list(range(PER_CLIENT))
    # every id the clients were given is one stored coding, and each was audited once
    assert sorted(i for ids in made.values() for i in ids) == sorted(i for i, _, _ in rows)
    assert sorted(i for (i,) in audited) == sorted(i for i, _, _ in rows)


def test_one_coder_in_three_sessions_saving_the_same_passages_stores_each_once(team):
    sessions = [team.open("ana") for _ in range(3)]
    try:
        ana = server_team.identity(sessions[0]).coder.id
        talks = codebook.find_code(sessions[0], "Talks").id
        refused: list[int] = []
        saved: list[int] = []
        lock = threading.Lock()

        def job(p):
            def run() -> None:
                for i in range(PER_CLIENT):
                    try:
                        codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana,
                                             start=i, end=i + 3)  # fmt: skip
                    except Conflict:
                        with lock:
                            refused.append(i)
                    else:
                        with lock:
                            saved.append(i)

            return run

        assert _run_at_once([job(p) for p in sessions]) == []
    finally:
        for p in sessions:
            p.close()
    assert sorted(saved) == list(range(PER_CLIENT))  # each passage saved by one session
    assert len(refused) == 2 * PER_CLIENT  # the others were told, not failed
    with team.sql("olga") as owner:
        assert owner.execute("SELECT count(*) FROM coding").fetchone()[0] == PER_CLIENT


# -- the server kills the connection mid-action ------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")


class KillAt:
    """Terminates the client's server process (as an administrator would, or a server
    restart) just before its write statement number ``n + 1`` runs, or before the
    COMMIT of its writes when it makes no more than ``n``."""

    def __init__(self, team, engine: Engine, n: int) -> None:
        self.team, self.engine, self.n, self.seen, self.fired = team, engine, n, 0, False

    def _kill(self, conn) -> None:
        pid = conn.connection.driver_connection.info.backend_pid
        with self.team.admin() as admin:
            # the timeout makes it wait until the process is gone
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        self.fired = True

    def before(self, conn, _cursor, statement, *_rest) -> None:
        if self.fired or not statement.lstrip().upper().startswith(WRITES):
            return
        if self.seen == self.n:
            self._kill(conn)
        self.seen += 1

    def commit(self, conn) -> None:
        # (the action's read-only transactions, before it writes, commit unharmed)
        if not self.fired and self.seen > 0:
            self._kill(conn)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before)
        event.listen(self.engine, "commit", self.commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "commit", self.commit)


def _digests(team) -> dict:
    from db.engine import make_engine

    engine = make_engine(team.admin_url)
    try:
        return table_digests(engine)
    finally:
        engine.dispose()


def _killed_at_every_step(team, person, action, undo=None) -> int:
    """Run ``action(project)`` once per write statement it makes (and once more for its
    COMMIT), the connection killed at that point: each time a ServiceError saying the
    connection was lost, and every table exactly as before. Then the same open project
    does the action: the dead connection was replaced. Returns the number of steps."""
    before = _digests(team)
    with team.open(person) as p:
        n = 0
        while True:
            with KillAt(team, p.engine, n) as killer, pytest.raises(ServiceError) as refused:
                action(p)
            assert killer.fired
            assert "connection to the server failed or was lost" in str(refused.value)
            assert "s3cret" not in str(refused.value)
            assert _digests(team) == before, f"killed at step {n + 1}: half written"
            if killer.seen <= n:  # that was the kill before COMMIT: every step is done
                break
            n += 1
        result = action(p)  # the project goes on, on a new connection
    assert _digests(team) != before
    if undo:
        undo(result)
    return n + 1


def test_a_connection_killed_mid_action_leaves_nothing_half_written(team):
    with team.open("ana") as p:
        talks = codebook.find_code(p, "Talks").id
        ana = server_team.identity(p).coder.id
    steps = _killed_at_every_step(
        team, "ana",
        lambda p: codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana,
                                       start=0, end=6, memo="first pass"),
    )  # fmt: skip
    assert steps >= 3  # the coding, its audit entry, the commit


def test_a_reviewers_settlement_killed_mid_way_is_all_or_nothing(team):
    ids = coder_ids(team)
    code_as(team, "ana", 0, 6)
    code_as(team, "ben", 0, 11)
    set_blind(team, True)
    with team.open("rev") as p:
        talks = codebook.find_code(p, "Talks").id
        review.code_as_consensus(p, document_id=1, code_id=talks, start=2, end=4)  # replaced
        [disagreement] = review.disagreements(p, 1, [ids["ana"], ids["ben"]])

    steps = _killed_at_every_step(team, "rev", lambda p: review.accept(p, disagreement, ids["ben"]))
    assert steps >= 6  # remove the old consensus, add ben's version, mark decided, audit


def test_a_killed_connection_never_shows_a_password(team):
    with psycopg.connect(team.admin_url, autocommit=True) as admin:
        admin.execute(f"ALTER ROLE \"{team.roles['ana']}\" PASSWORD 's3cret'")
    url = team.url("ana").replace(f"{team.roles['ana']}@", f"{team.roles['ana']}:s3cret@")
    from desktop.services.project.project import Project

    with Project.open(url) as p:
        talks = codebook.find_code(p, "Talks").id
        me = server_team.identity(p).coder.id
        with KillAt(team, p.engine, 0), pytest.raises(ServiceError) as refused:
            codings.apply_coding(p, document_id=1, code_id=talks, coder_id=me, start=0, end=6)
    assert "s3cret" not in str(refused.value) and "***@" in str(refused.value)


# -- the connection is lost during COMMIT: saved or not, the message says which ----------


class CommitThenKill:
    """The server commits the action's transaction, then its process is killed before
    the client hears so: what a network failing during COMMIT does. (The transaction is
    committed by hand and an empty one begun, which the client's COMMIT then meets the
    dead connection in.)"""

    def __init__(self, team, engine: Engine) -> None:
        self.team, self.engine, self.fired = team, engine, False

    def commit(self, conn) -> None:
        if self.fired:
            return
        driver = conn.connection.driver_connection
        driver.pgconn.exec_(b"COMMIT")
        driver.pgconn.exec_(b"BEGIN")
        with self.team.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (driver.info.backend_pid,))
        self.fired = True

    def __enter__(self):
        event.listen(self.engine, "commit", self.commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "commit", self.commit)


def _stored(team) -> int:
    with team.sql("olga") as owner:
        return owner.execute("SELECT count(*) FROM coding").fetchone()[0]


def test_a_coding_the_server_committed_as_the_connection_dropped_is_said_to_be_saved(team):
    with team.open("ana") as p:
        talks = codebook.find_code(p, "Talks").id
        ana = server_team.identity(p).coder.id
        with CommitThenKill(team, p.engine) as killer, pytest.raises(ServiceError) as lost:
            codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana, start=0, end=6)
        assert killer.fired
        # the project goes on, and the coding is there once: making it again is refused
        with pytest.raises(Conflict):
            codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana, start=0, end=6)
    said = str(lost.value)
    assert _stored(team) == 1
    assert "not saved" not in said
    assert "the server did save the last change" in said


def test_a_coding_lost_with_its_commit_is_said_to_be_not_saved(team):
    with team.open("ana") as p:
        talks = codebook.find_code(p, "Talks").id
        ana = server_team.identity(p).coder.id
        # the kill before COMMIT: the server rolls the transaction back
        with KillAt(team, p.engine, 99), pytest.raises(ServiceError) as lost:
            codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana, start=0, end=6)
    assert _stored(team) == 0
    assert "the last change was not saved" in str(lost.value)


def test_when_the_server_stays_unreachable_the_message_says_the_change_may_be_saved(
    team, monkeypatch
):
    from desktop.services.project import project as project_module

    with team.open("ana") as p:
        talks = codebook.find_code(p, "Talks").id
        ana = server_team.identity(p).coder.id

        def unreachable(*_args, **_kw):
            return None  # the server cannot be asked whether the transaction committed

        monkeypatch.setattr(project_module, "commit_outcome", unreachable)
        with CommitThenKill(team, p.engine), pytest.raises(ServiceError) as lost:
            codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana, start=0, end=6)
    said = str(lost.value)
    assert "not saved" not in said and "did save" not in said
    assert "cannot be known" in said


def test_only_a_transaction_that_wrote_asks_for_its_id_before_commit(team):
    """Reading costs no extra round trip to the server; saving asks for the id that
    tells afterwards whether a COMMIT the connection lost went through."""
    with team.open("ana") as p:
        said: list[str] = []
        event.listen(p.engine, "before_cursor_execute", lambda *a: said.append(a[2]))
        talks = codebook.find_code(p, "Talks").id
        ana = server_team.identity(p).coder.id
        reads = list(said)
        codings.apply_coding(p, document_id=1, code_id=talks, coder_id=ana, start=0, end=6)
    asked = [s for s in said if "pg_current_xact_id" in s]
    assert reads and not any("pg_current_xact_id" in s for s in reads)
    assert len(asked) == 1
