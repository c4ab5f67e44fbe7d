from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from db import models as m
from db.project_file import SCHEMA_VERSION
from desktop.core.text import sha256_text
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams
from desktop.services.teams.merge import MergeProgress, merge_projects
from tests.services.teams.test_teams_support import (
    DERAA,
    HOMS,
    IDLIB,
    code,
    coding_set,
    digest,
    doc_id,
    make_project,
    set_value,
    values_of,
)


@pytest.fixture
def master(tmp_path):
    p = make_project(tmp_path / "master.tessera")
    yield p
    p.close()


def copy_and_open(master, name, tmp_path) -> Project:
    out = tmp_path / f"{name}.tessera"
    teams.copy_for_coder(master, name, out)
    return Project.open(out)


def snapshot(project) -> dict:
    with project.session() as s:
        return {
            "codings": coding_set(project),
            "values": values_of(project),
            "docs": sorted((d.sha256, d.name) for d in documents.list_documents(project)),
            "codes": [(c.path, c.color) for c in codebook.list_codes(project)],
            "coders": sorted(c.name for c in coders.list_coders(project)),
            "audit": s.scalar(select(func.count()).select_from(m.AuditEntry)),
            "settings": project.settings(),
        }


def test_round_trip_copy_code_in_copy_merge_back(master, tmp_path):
    code(master, DERAA, "Rebels", "Actors/Armed groups", "reviewer")
    with copy_and_open(master, "ana", tmp_path) as copy:
        a = code(
            copy, DERAA, "12 civilians were killed", "Casualties/Killed", "ana", memo="count is 12"
        )
        set_value(copy, a, "count", "12")
        code(copy, IDLIB, "UN envoy", "Actors/International actors", "ana")
        expected = coding_set(copy)
    before = coding_set(master)

    report = merge_projects(master, [tmp_path / "ana.tessera"])

    assert report.ok, report.sources[0].error
    src = report.sources[0]
    assert (src.codings_added, src.codings_present, src.documents_added, src.codes_added) == (
        2,
        0,
        [],
        [],
    )
    assert src.coders_matched == ["ana"] and src.coders_added == []
    after = coding_set(master)
    assert after == before | expected
    killed = next(k for k in values_of(master) if k[1] == "Casualties/Killed")
    assert values_of(master)[killed] == {"(memo)": "count is 12", "count": "12"}
    merges = audit.history(master, entity="project")
    assert [e.action for e in merges][-1:] == ["merge"]
    assert merges[-1].new["codings_added"] == 2


def test_two_coders_copies_merged_keep_every_coding_of_every_source(master, tmp_path):
    with (
        copy_and_open(master, "ana", tmp_path) as ana,
        copy_and_open(master, "ben", tmp_path) as ben,
    ):
        code(ana, DERAA, "Rebels", "Actors/Armed groups", "ana")
        code(ana, IDLIB, "Government troops", "Actors/State forces", "ana")
        # the same passage and code by both: two codings, one per coder
        code(ben, DERAA, "Rebels", "Actors/Armed groups", "ben")
        code(ben, IDLIB, "displaced", "Casualties/Displaced", "ben")
        sources = coding_set(ana) | coding_set(ben)

    report = merge_projects(master, [tmp_path / "ana.tessera", tmp_path / "ben.tessera"])

    assert report.ok and report.codings_added == 4
    assert sources <= coding_set(master)
    assert {c.name for c in coders.list_coders(master)} == {"ana", "ben"}
    assert len({k[2] for k in coding_set(master)}) == 2


def test_merging_the_same_file_twice_adds_nothing(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        a = code(copy, DERAA, "12 civilians were killed", "Casualties/Killed", "ana", memo="m")
        set_value(copy, a, "who", "civilians")
    assert merge_projects(master, [tmp_path / "ana.tessera"]).ok
    first = snapshot(master)

    again = merge_projects(master, [tmp_path / "ana.tessera"])

    src = again.sources[0]
    assert again.ok and (src.codings_added, src.codings_present, src.conflicts) == (0, 1, [])
    second = snapshot(master)
    assert {k: v for k, v in second.items() if k != "audit"} == {
        k: v for k, v in first.items() if k != "audit"
    }
    assert second["audit"] == first["audit"] + 1  # the merge itself is recorded


def test_a_coder_with_the_same_name_but_another_identity_is_refused(master, tmp_path):
    other = make_project(tmp_path / "elsewhere.tessera")
    teams.copy_for_coder(other, "ana", tmp_path / "ana-elsewhere.tessera")
    other.close()
    with Project.open(tmp_path / "ana-elsewhere.tessera") as foreign:
        code(foreign, DERAA, "Rebels", "Actors/Armed groups", "ana")
    teams.copy_for_coder(master, "ana", tmp_path / "ana.tessera")  # master's own ana
    before = snapshot(master)

    report = merge_projects(master, [tmp_path / "ana-elsewhere.tessera"])

    src = report.sources[0]
    assert not report.ok and src.status == "refused"
    assert src.coder_clashes == ["ana"] and "--rename-clashing" in src.error
    assert snapshot(master) == before

    renamed = merge_projects(master, [tmp_path / "ana-elsewhere.tessera"], rename_clashing=True)
    assert renamed.ok and renamed.sources[0].coders_renamed == [("ana", "ana (2)")]
    assert {k[2] for k in coding_set(master)} == {"ana (2)"}
    # the renamed coder is recognised by identity next time: nothing new
    again = merge_projects(master, [tmp_path / "ana-elsewhere.tessera"], rename_clashing=True)
    assert again.ok and again.sources[0].codings_added == 0
    assert again.sources[0].coders_added == []


def test_unknown_codes_are_listed_and_refused_unless_add_codes(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        codebook.add_code(copy, "Actors/Journalists", color="#123456", description="Reporters")
        with copy.session() as s:
            j = s.scalar(select(m.Code.id).where(m.Code.name == "Journalists"))
            s.add(m.CodeField(code_id=j, name="outlet", type="text", choices=[]))
            s.add(m.CodeExample(code_id=j, text="a local reporter"))
        cid = code(copy, IDLIB, "The UN envoy", "Actors/Journalists", "ana")
        set_value(copy, cid, "outlet", "Reuters")
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    before = snapshot(master)

    refused = merge_projects(master, [tmp_path / "ana.tessera"])

    src = refused.sources[0]
    assert src.status == "refused" and src.codes_missing == ["Actors/Journalists"]
    assert "Actors/Journalists" in src.error and "--add-codes" in src.error
    assert snapshot(master) == before

    added = merge_projects(master, [tmp_path / "ana.tessera"], add_codes=True)
    assert added.ok and added.sources[0].codes_added == ["Actors/Journalists"]
    assert added.sources[0].fields_added == ["Actors/Journalists: outlet"]
    j = codebook.find_code(master, "Actors/Journalists")
    assert (j.color, j.description, j.examples) == ("#123456", "Reporters", ("a local reporter",))
    assert added.sources[0].codings_added == 2
    journalists = next(v for k, v in values_of(master).items() if k[1] == "Actors/Journalists")
    assert journalists["outlet"] == "Reuters"


def test_a_code_renamed_or_moved_in_the_master_after_the_copies_went_out_still_merges(
    master, tmp_path
):
    """Copies share their codes' identities with the master: a code the project lead
    renames or moves while coders work keeps their codings when they are merged back."""
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
        code(copy, IDLIB, "Government troops", "Actors/State forces", "ana")
    armed = codebook.find_code(master, "Actors/Armed groups")
    codebook.update_code(master, armed.id, name="Armed non-state groups")
    state = codebook.find_code(master, "Actors/State forces")
    claims = codebook.find_code(master, "Claims")
    codebook.move_code(master, state.id, claims.id)

    report = merge_projects(master, [tmp_path / "ana.tessera"])

    src = report.sources[0]
    assert report.ok and src.codes_missing == [] and src.codings_added == 2
    assert sorted(src.codes_renamed) == [
        ("Actors/Armed groups", "Actors/Armed non-state groups"),
        ("Actors/State forces", "Claims/State forces"),
    ]
    assert {(c[1], c[2]) for c in coding_set(master)} >= {
        ("Actors/Armed non-state groups", "ana"), ("Claims/State forces", "ana"),
    }  # fmt: skip
    assert [c.path for c in codebook.list_codes(master)].count("Actors/Armed groups") == 0
    said = "\n".join(src.describe())
    assert "Actors/Armed groups → Actors/Armed non-state groups" in said


def test_documents_are_matched_by_text_even_when_renamed_and_new_ones_added(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        documents.update_metadata(
            copy, doc_id(copy, DERAA), name="renamed by ana.txt", title="Other"
        )
        documents.add_document(
            copy, name="deraa.txt", text=HOMS, kind="txt", metadata={"author": "AFP"}
        )
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
        code(copy, HOMS, "Opposition brigades", "Actors/Armed groups", "ana")
        expected = coding_set(copy)

    report = merge_projects(master, [tmp_path / "ana.tessera"])

    src = report.sources[0]
    assert report.ok and src.documents_matched == 2
    assert src.documents_added == ["deraa (2).txt"]  # a name clash with another text
    names = {d.sha256: d.name for d in documents.list_documents(master)}
    assert names[sha256_text(DERAA)] == "deraa.txt"  # the target's name is kept
    assert names[sha256_text(HOMS)] == "deraa (2).txt"
    assert documents.find_document(master, sha256_text(HOMS)).author == "AFP"
    assert expected <= coding_set(master)


def test_pages_and_metadata_of_an_added_document_come_along(tmp_path):
    target = make_project(tmp_path / "t.tessera", docs=(DERAA,))
    source = make_project(tmp_path / "s.tessera", docs=(DERAA, IDLIB))
    code(source, IDLIB, "Four people were injured", "Casualties/Injured", "ben")
    source.close()

    report = merge_projects(target, [tmp_path / "s.tessera"])

    assert report.ok and report.sources[0].documents_added == ["idlib.pdf"]
    d = documents.find_document(target, sha256_text(IDLIB))
    assert (d.kind, d.title, d.author, d.date, d.pages) == ("pdf", "Idlib", "Wire", "2026-11-01", 2)
    assert documents.get_pages(target, d.id) == [(0, 43), (43, len(IDLIB))]
    assert report.sources[0].coders_added == ["ben"]
    target.close()


def test_a_corrupt_source_is_refused_and_the_target_is_unchanged(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    good = tmp_path / "ana.tessera"
    bad = tmp_path / "bad.tessera"
    data = bytearray(good.read_bytes())
    page = 4096
    for i in range(page * 2, len(data), page):  # scramble every page after the schema
        data[i : i + 64] = b"\xff" * 64
    bad.write_bytes(bytes(data))
    notes = tmp_path / "notes.tessera"
    notes.write_text("not a database")
    before, bad_digest = snapshot(master), digest(bad)

    report = merge_projects(master, [bad, notes])

    assert [s.status for s in report.sources] == ["refused", "refused"]
    assert "damaged" in report.sources[0].error
    assert "not a Tessera project" in report.sources[1].error
    assert snapshot(master) == before
    assert digest(bad) == bad_digest


def test_a_source_failing_half_way_changes_nothing_but_others_merge(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
        code(copy, IDLIB, "Government troops", "Actors/State forces", "ana")
        with copy.session() as s:  # a quote that no longer matches the text: damaged
            c = s.scalars(select(m.Coding).order_by(m.Coding.id.desc())).first()
            c.quote = "something else"
    with copy_and_open(master, "ben", tmp_path) as ben:
        code(ben, DERAA, "Rebels", "Actors/Armed groups", "ben")
    before = snapshot(master)

    report = merge_projects(master, [tmp_path / "ana.tessera", tmp_path / "ben.tessera"])

    ana, ben = report.sources
    assert ana.status == "refused" and "does not match" in ana.error
    assert ben.status == "merged"
    assert coding_set(master) - before["codings"] == {
        (sha256_text(DERAA), "Actors/Armed groups", "ben", 0, 6, "Rebels")
    }


def test_the_source_is_opened_read_only_and_never_changed(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    src = tmp_path / "ana.tessera"
    src.chmod(0o444)
    before = digest(src)
    listing = sorted(p.name for p in tmp_path.iterdir())

    assert merge_projects(master, [src], add_codes=True).ok

    assert digest(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_a_source_from_a_newer_tessera_is_refused(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    src = tmp_path / "ana.tessera"
    conn = sqlite3.connect(src)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()

    report = merge_projects(master, [src])

    assert report.sources[0].status == "refused" and "newer Tessera" in report.sources[0].error
    assert coding_set(master) == set()


def test_a_source_from_an_older_schema_is_merged_from_an_upgraded_copy(tmp_path):
    from tests.fixtures.make_schema_v1 import TEXT, make

    old = tmp_path / "v1.tessera"
    make(old)
    before = digest(old)
    target = Project.create(tmp_path / "t.tessera", template="conflict-news")

    report = merge_projects(target, [old])

    assert report.ok, report.sources[0].error
    start = TEXT.index("At least")
    assert coding_set(target) == {
        (
            sha256_text(TEXT),
            "Casualties/Killed",
            "ana",
            start,
            TEXT.index(" in Dera"),
            TEXT[start : TEXT.index(" in Dera")],
        )
    }
    assert report.sources[0].coders_matched_by_name == [] and report.sources[0].coders_added == [
        "ana"
    ]
    assert digest(old) == before
    with sqlite3.connect(f"{old.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    target.close()


def test_memos_and_values_that_differ_are_conflicts_kept_from_the_target(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        a = code(
            copy, DERAA, "12 civilians were killed", "Casualties/Killed", "ana", memo="ana's memo"
        )
        set_value(copy, a, "count", "12")
    assert merge_projects(master, [tmp_path / "ana.tessera"]).ok
    with Project.open(tmp_path / "ana.tessera") as copy:
        from desktop.services.coding import codings

        codings.set_memo(copy, a, "changed later")
        set_value(copy, a, "count", "13")
        set_value(copy, a, "who", "civilians")  # a value the target lacks: filled in

    kept = merge_projects(master, [tmp_path / "ana.tessera"])

    src = kept.sources[0]
    assert kept.ok and src.codings_added == 0 and src.codings_filled == 1
    assert sorted((c.what, c.target_value, c.source_value, c.kept) for c in src.conflicts) == [
        ("count", "12", "13", "target"),
        ("memo", "ana's memo", "changed later", "target"),
    ]
    (vals,) = values_of(master).values()
    assert vals == {"(memo)": "ana's memo", "count": "12", "who": "civilians"}

    taken = merge_projects(master, [tmp_path / "ana.tessera"], prefer_source=True)
    assert taken.ok and {c.kept for c in taken.sources[0].conflicts} == {"source"}
    (vals,) = values_of(master).values()
    assert vals == {"(memo)": "changed later", "count": "13", "who": "civilians"}


def test_dry_run_reports_everything_and_writes_nothing(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    before = snapshot(master)

    report = merge_projects(master, [tmp_path / "ana.tessera"], dry_run=True)

    assert report.ok and report.dry_run and report.sources[0].status == "dry run"
    assert report.sources[0].codings_added == 1
    assert snapshot(master) == before


def test_coders_without_a_recorded_identity_are_matched_by_name(tmp_path):
    target = make_project(tmp_path / "t.tessera")
    code(target, DERAA, "Rebels", "Actors/Armed groups", "ana")
    source = make_project(tmp_path / "s.tessera")
    code(source, IDLIB, "UN envoy", "Actors/International actors", "ana")
    source.close()

    report = merge_projects(target, [tmp_path / "s.tessera"])

    assert report.ok and report.sources[0].coders_matched_by_name == ["ana"]
    assert len(coders.list_coders(target)) == 1 and len(coding_set(target)) == 2
    target.close()


def test_progress_is_reported_and_cancel_stops_before_the_next_source(master, tmp_path):
    for name in ("ana", "ben"):
        with copy_and_open(master, name, tmp_path) as copy:
            code(copy, DERAA, "Rebels", "Actors/Armed groups", name)
    seen: list[MergeProgress] = []
    stop = threading.Event()

    def progress(p: MergeProgress) -> None:
        seen.append(p)
        if p.stage == "done":
            stop.set()

    report = merge_projects(
        master,
        [tmp_path / "ana.tessera", tmp_path / "ben.tessera"],
        progress=progress,
        cancelled=stop.is_set,
    )

    assert report.cancelled and [s.status for s in report.sources] == ["merged", "skipped"]
    assert {k[2] for k in coding_set(master)} == {"ana"}
    assert seen[0].stage == "reading" and seen[-1].stage == "done" and seen[-1].sources_total == 2


def test_cancel_in_the_middle_of_a_source_rolls_it_back(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
    before = snapshot(master)
    started: list[MergeProgress] = []

    def cancelled() -> bool:
        return any(p.stage == "codings" for p in started)

    report = merge_projects(
        master, [tmp_path / "ana.tessera"], progress=started.append, cancelled=cancelled
    )

    assert report.cancelled and report.sources[0].status == "cancelled"
    assert snapshot(master) == before


def test_merging_the_target_into_itself_is_refused(master):
    report = merge_projects(master, [master.path])
    assert (
        report.sources[0].status == "refused" and "target project itself" in report.sources[0].error
    )


def test_merge_runs_in_a_worker_thread_while_the_window_keeps_working(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
        expected = coding_set(copy)
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault(
            "report", merge_projects(master, [tmp_path / "ana.tessera"])
        )
    )
    worker.start()
    code(master, IDLIB, "UN envoy", "Actors/International actors", "rita")  # the window, meanwhile
    worker.join(timeout=60)

    assert result["report"].ok
    assert expected <= coding_set(master) and len(coding_set(master)) == 2


def test_a_source_still_open_elsewhere_is_read_with_its_latest_commits(master, tmp_path):
    copy = copy_and_open(master, "ana", tmp_path)  # the coder's window is still open
    try:
        code(copy, DERAA, "Rebels", "Actors/Armed groups", "ana")
        wal = tmp_path / "ana.tessera-wal"
        assert wal.exists() and wal.stat().st_size > 0  # the coding is only in the -wal yet
        expected = coding_set(copy)

        report = merge_projects(master, [tmp_path / "ana.tessera"])

        assert report.ok and coding_set(master) == expected
    finally:
        copy.close()


def test_an_added_field_that_would_clash_along_a_branch_is_refused(master, tmp_path):
    from desktop.services.codebook import fields

    with copy_and_open(master, "ana", tmp_path) as copy:
        killed = codebook.find_code(copy, "Casualties/Killed").id
        fields.add_field(copy, killed, "severity", "integer")
        code(copy, DERAA, "killed", "Casualties/Killed", "ana")
    fields.add_field(master, codebook.find_code(master, "Casualties").id, "severity", "text")
    before = snapshot(master)

    report = merge_projects(master, [tmp_path / "ana.tessera"], add_codes=True)

    src = report.sources[0]
    assert src.status == "refused" and "Casualties/Killed: severity" in src.error
    assert "unique along a branch" in src.error
    assert snapshot(master) == before


def test_added_codes_whose_names_hold_a_slash_keep_their_place(master, tmp_path):
    with copy_and_open(master, "ana", tmp_path) as copy:
        top = codebook.add_child(copy, None, "Pro/Anti")
        child = codebook.add_child(copy, top.id, "Deep/er")
        codebook.add_child(copy, child.id, "Leaf")
        code(copy, DERAA, "talks", "Pro\\/Anti/Deep\\/er/Leaf", "ana")
        expected = coding_set(copy)

    report = merge_projects(master, [tmp_path / "ana.tessera"], add_codes=True)

    assert report.ok, report.sources[0].error
    assert report.sources[0].codes_added == [
        "Pro\\/Anti",
        "Pro\\/Anti/Deep\\/er",
        "Pro\\/Anti/Deep\\/er/Leaf",
    ]
    assert expected <= coding_set(master)


def test_original_files_go_to_a_coder_copy_and_come_back_with_added_documents(tmp_path):
    from desktop.services.documents import originals

    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"%%EOF\n"
    source = make_project(tmp_path / "s.tessera", docs=(DERAA,))
    documents.add_document(source, name="extra.pdf", text="An extra report.\n",
                                   kind="pdf", original=pdf)  # fmt: skip
    deraa = documents.find_document(source, sha256_text(DERAA))
    with source.session() as s:  # the shared document has an original in the source only
        s.execute(m.Document.__table__.update().where(m.Document.id == deraa.id)
                  .values(original_sha256=originals.keep_bytes(s, b"deraa", "d.html")))  # fmt: skip
    teams.copy_for_coder(source, "ana", tmp_path / "ana.tessera")
    with Project.open(tmp_path / "ana.tessera") as copy:
        assert originals.read_original(copy, documents.find_document(copy, "extra.pdf").id) == pdf
    source.close()
    target = make_project(tmp_path / "t.tessera", docs=(DERAA,))

    report = merge_projects(target, [tmp_path / "ana.tessera"])

    assert report.ok and report.sources[0].documents_added == ["extra.pdf"]
    assert originals.read_original(target, documents.find_document(target, "extra.pdf").id) == pdf
    shared = documents.find_document(target, sha256_text(DERAA))
    assert originals.read_original(target, shared.id) == b"deraa"
    assert target.info()["originals"] == 2
    target.close()


def test_merge_reads_an_original_file_only_when_it_writes_it(tmp_path, monkeypatch):
    """The originals of a source (PDFs can be hundreds of MB together) are not held in
    memory with the rest of it: each is read when the merge writes it, one at a time."""
    from desktop.services.documents import originals
    from desktop.services.teams import merge_source

    pdfs = {f"r{i}.pdf": b"%PDF-1.4\n" + bytes([i]) * 5000 + b"%%EOF\n" for i in range(3)}
    source = make_project(tmp_path / "s.tessera", docs=(DERAA,))
    for name, data in pdfs.items():
        documents.add_document(source, name=name, text=f"Report {name}.\n", kind="pdf",
                               original=data)  # fmt: skip
    source.close()
    loaded: list = []
    real = merge_source.read_source

    def spy(engine):
        src = real(engine)
        loaded.append(src)
        return src

    monkeypatch.setattr(merge_source, "read_source", spy)
    target = make_project(tmp_path / "t.tessera", docs=(DERAA,))
    report = merge_projects(target, [tmp_path / "s.tessera"])
    assert report.ok
    (src,) = loaded
    assert src.originals and all("data" not in row for row in src.originals.values())
    for name, data in pdfs.items():
        assert originals.read_original(target, documents.find_document(target, name).id) == data
    target.close()
