"""Two people acting on the same thing at once on a server: no write is lost. One wins
by transaction; the other is refused with a message (never a traceback, never a
half-done action), or, where both changes fit together, both are kept."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from desktop.services.analysis import saved
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.errors import Conflict
from desktop.services.review import review
from desktop.services.teams import coders, server_team
from tests.postgres.conftest import code_as, coder_ids, set_blind


def test_a_code_deleted_while_another_applies_it_refuses_the_coding_with_a_message(team):
    with team.open("ana") as ana, team.open("olga") as olga:
        me = server_team.identity(ana).coder.id
        talks = codebook.find_code(ana, "Talks").id

        done: list[bool] = []

        # the owner deletes the code between ana's checks and her insert
        def delete_first(_conn, _cursor, statement, *_rest) -> None:
            if not done and statement.lstrip().upper().startswith("INSERT INTO CODING"):
                done.append(True)
                codebook.delete_code(olga, talks)

        event.listen(ana.engine, "before_cursor_execute", delete_first)
        with pytest.raises(Conflict, match="just deleted") as refused:
            codings.apply_coding(ana, document_id=1, code_id=talks, coder_id=me, start=0, end=6)
        assert "Nothing was changed" in str(refused.value)
        assert codebook.list_codes(ana) and all(c.id != talks for c in codebook.list_codes(ana))
    with team.sql("olga") as owner:
        assert owner.execute("SELECT count(*) FROM coding").fetchone()[0] == 0
        assert owner.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'coding'"
        ).fetchone()[0] == 0  # fmt: skip


def test_a_code_renamed_while_applied_keeps_both_changes(team):
    with team.open("ana") as ana, team.open("olga") as olga:
        me = server_team.identity(ana).coder.id
        talks = codebook.find_code(ana, "Talks").id

        done: list[bool] = []

        def rename_first(_conn, _cursor, statement, *_rest) -> None:
            if not done and statement.lstrip().upper().startswith("INSERT INTO CODING"):
                done.append(True)
                codebook.update_code(olga, talks, name="Negotiations")

        event.listen(ana.engine, "before_cursor_execute", rename_first)
        c = codings.apply_coding(ana, document_id=1, code_id=talks, coder_id=me, start=0, end=6)
        assert codebook.get_code(ana, c.code_id).name == "Negotiations"


def _two_reviewers(team):
    """ana and ben disagree on one passage; the consensus coder exists; both reviewers
    (rev, and olga the owner) list the passage, the consensus empty there."""
    ids = coder_ids(team)
    code_as(team, "ana", 0, 6)
    code_as(team, "ben", 0, 11)
    set_blind(team, True)
    with team.open("rev") as p:
        review.consensus_coder(p)
    people = {who: team.open(who) for who in ("rev", "olga")}
    consensus = coders.find_coder(people["rev"], review.CONSENSUS).id
    listed = {
        who: review.disagreements(p, 1, [ids["ana"], ids["ben"]], consensus_id=consensus)
        for who, p in people.items()
    }
    return ids, people, consensus, listed


def _consensus_spans(team, consensus: int) -> list[tuple[int, int]]:
    with team.sql("olga") as owner:
        return owner.execute(
            'SELECT start, "end" FROM coding WHERE coder_id = %s ORDER BY start', (consensus,)
        ).fetchall()


def test_a_passage_settled_by_another_reviewer_meanwhile_is_refused(team):
    ids, people, consensus, listed = _two_reviewers(team)
    try:
        [mine] = listed["rev"]
        [theirs] = listed["olga"]
        review.accept(people["olga"], theirs, ids["ben"])
        with pytest.raises(Conflict, match="settled by someone else a moment ago"):
            review.accept(people["rev"], mine, ids["ana"])  # rev still sees it open
        with pytest.raises(Conflict, match="settled by someone else"):
            review.clear_consensus(people["rev"], mine)
        # listed again, rev sees olga's decision and may change it
        [fresh] = review.disagreements(
            people["rev"], 1, [ids["ana"], ids["ben"]], consensus_id=consensus
        )
        assert fresh.decided and fresh.settled_by == (ids["ben"],)
        review.accept(people["rev"], fresh, ids["ana"])
    finally:
        for p in people.values():
            p.close()
    assert _consensus_spans(team, consensus) == [(0, 6)]


def test_two_reviewers_settling_one_passage_at_once_one_wins(team):
    ids, people, consensus, listed = _two_reviewers(team)
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def settle(who: str, version: int) -> None:
        start.wait()
        try:
            outcome[who] = review.accept(people[who], listed[who][0], version)
        except Conflict as exc:
            outcome[who] = exc

    threads = [
        threading.Thread(target=settle, args=("rev", ids["ana"])),
        threading.Thread(target=settle, args=("olga", ids["ben"])),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for p in people.values():
            p.close()
    refused = [who for who, r in outcome.items() if isinstance(r, Conflict)]
    assert len(refused) == 1, outcome
    winner = "olga" if refused == ["rev"] else "rev"
    expected = [(0, 11)] if winner == "olga" else [(0, 6)]
    assert _consensus_spans(team, consensus) == expected  # the winner's version, whole


def test_settings_changed_by_two_clients_at_once_keep_both_changes(team):
    people = [team.open(who) for who in ("ana", "ben", "cy")]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def save_many(i: int) -> None:
        start.wait()
        try:
            for n in range(15):
                saved.save_query(people[i], f"query {i}-{n}", "search", {"text": "talks"})
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(i,)) for i in range(len(people))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        names = {q.name for q in saved.list_queries(people[0])}
    finally:
        for p in people:
            p.close()
    assert errors == []
    assert names == {f"query {i}-{n}" for i in range(3) for n in range(15)}
