"""REFI-QDA whole-project exchange: importing the real exports of NVivo, ATLAS.ti and
MAXQDA into a project, refusing without changing anything, and exporting a project that
comes back the same."""

from __future__ import annotations

import collections
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from db import models as m
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.errors import NotFound
from desktop.services.exchange import refi_store
from desktop.services.exchange.refi_export import export_qdpx
from desktop.services.exchange.refi_import import RefiImportRefused, import_qdpx
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders

NVIVO_WIN = "nvivo-win-12.6_oltas0517.qdpx"
NVIVO_MAC = "nvivo-mac-15.0_codes-only.qdpx"
ATLAS = "atlasti-win-23.2_target-project.qdpx"
MAXQDA = "maxqda-24.7_project.qde"
P = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def samples(shared_dir: Path) -> Path:
    return shared_dir / "refi" / "samples"


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir / "refi" / "Project.xsd")))


@pytest.fixture
def empty(project_target):
    p = Project.create(project_target)
    p.actor = "tester"
    yield p
    p.close()


def state(project) -> dict:
    """What a user would compare: documents by content, code paths, coders, codings."""
    with project.session() as s:
        sha = dict(s.execute(select(m.Document.id, m.Document.sha256)).all())
        texts = dict(s.execute(select(m.Document.id, m.Document.text)).all())
        names = dict(s.execute(select(m.Coder.id, m.Coder.name)).all())
        rows = s.execute(
            select(m.Coding.document_id, m.Coding.code_id, m.Coding.coder_id, m.Coding.start,
                   m.Coding.end, m.Coding.quote)
        ).all()  # fmt: skip
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    for did, _, _, start, end, quote in rows:
        assert texts[did][start:end] == quote
    return {
        "documents": set(sha.values()),
        "codes": set(paths.values()),
        "coders": set(names.values()),
        "codings": {(sha[d], paths[c], names[k], a, b, q) for d, c, k, a, b, q in rows},
    }


def memos(project) -> dict[tuple, str]:
    """{(document sha, code path, coder, start, end): memo} of the codings with a memo."""
    with project.session() as s:
        sha = dict(s.execute(select(m.Document.id, m.Document.sha256)).all())
        names = dict(s.execute(select(m.Coder.id, m.Coder.name)).all())
        rows = s.execute(
            select(m.Coding.document_id, m.Coding.code_id, m.Coding.coder_id, m.Coding.start,
                   m.Coding.end, m.Coding.memo).where(m.Coding.memo != "")
        ).all()  # fmt: skip
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    return {(sha[d], paths[c], names[k], a, b): memo for d, c, k, a, b, memo in rows if memo}


def audit_count(project) -> int:
    with project.session() as s:
        return s.scalar(select(func.count()).select_from(m.AuditEntry))


# ---------------------------------------------------------------------------- samples


def test_nvivo_windows_project_comes_in_whole(empty, samples) -> None:
    report = import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    assert len(report.codes_added) == 152 and report.codes_existing == []
    assert report.documents_added == ["videos_selection", "videos_10_selected"]
    assert sorted(report.coders_added) == ["Gergo", "floriansipos"]
    assert report.codings_in_file == report.codings_imported == 303
    assert report.codings_duplicate == 0 and report.codings_skipped == []
    assert report.offset_unit == "UTF-16 code units"
    assert any("UTF-16" in w for w in report.warnings)
    info = empty.info()
    assert (info["codes"], info["documents"], info["coders"], info["codings"]) == (152, 2, 2, 303)
    st = state(empty)  # checks every stored quote against text[start:end]
    assert collections.Counter(c[2] for c in st["codings"]) == {"floriansipos": 297, "Gergo": 6}
    assert any(
        quote.startswith("Senkit nem lehet kötelezni oltásra")
        and (path, coder) == ("2. Attitűd szint az oltáshoz/piros", "floriansipos")
        for _, path, coder, _, _, quote in st["codings"]
    )
    # The code's description and the source's metadata came along.
    (doc,) = [d for d in documents.list_documents(empty) if d.name == "videos_10_selected"]
    with empty.session() as s:
        extra = s.get(m.Document, doc.id).extra
    assert extra["refi_guid"] == "68bbdc14-c361-4432-b4dd-ae1dbfc12890"
    assert any(c.description for c in codebook.list_codes(empty))


def test_nvivo_codings_get_their_selections_time_not_the_export_stamp(empty, samples) -> None:
    """NVivo for Windows stamps every Coding with the export's time; the selection says
    when the passage was coded (2 of its 3 times; the third selection has no coding)."""
    import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    with empty.session() as s:
        times = collections.Counter(s.scalars(select(m.Coding.created_at)))
    assert len(times) > 1
    assert datetime(2025, 6, 18, 2, 6, 50) not in times  # the export stamp


def test_importing_the_same_file_again_adds_nothing(empty, samples) -> None:
    import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    before = state(empty)
    report = import_qdpx(empty, samples / NVIVO_WIN)
    assert report.codings_imported == 0 and report.codings_duplicate == 303
    assert report.documents_added == [] and report.codes_added == [] and report.coders_added == []
    assert sorted(report.coders_matched) == ["Gergo", "floriansipos"]
    assert len(report.codes_existing) == 152
    assert report.documents_matched == [
        ("videos_selection", "videos_selection"),
        ("videos_10_selected", "videos_10_selected"),
    ]
    assert state(empty) == before


def test_a_dry_run_reports_everything_and_stores_nothing(empty, samples) -> None:
    before, audits = state(empty), audit_count(empty)
    report = import_qdpx(empty, samples / NVIVO_WIN, add_codes=True, dry_run=True)
    assert (len(report.codes_added), report.codings_imported) == (152, 303)
    assert report.documents_added == ["videos_selection", "videos_10_selected"]
    assert state(empty) == before and audit_count(empty) == audits
    assert "coder_guids" not in empty.settings()


def test_nvivo_mac_codes_and_its_one_byte_sources(empty, samples) -> None:
    report = import_qdpx(empty, samples / NVIVO_MAC, add_codes=True)
    assert len(report.codes_added) == 262
    # Both sources hold the text "\n": one document.
    assert len(report.documents_added) == 1
    assert any("same text" in w for w in report.warnings)
    (doc,) = documents.list_documents(empty)
    assert documents.get_text(empty, doc.id) == "\n"
    assert empty.info()["codings"] == 0


def test_atlasti_codes_and_users_without_sources(empty, samples) -> None:
    report = import_qdpx(empty, samples / ATLAS, add_codes=True)
    assert report.codes_added == [
        "Commits",
        "Commits/2022-05-10T02:05:59Z 19e4dce",
        "Commits/2022-02-11T10:39:25Z cdbfd92",
    ]
    assert sorted(report.coders_added) == ["ATLAS.ti", "Enric Llagostera"]
    assert report.documents_added == [] and report.codings_in_file == 0


def test_maxqda_qde_without_texts_brings_its_codebook_and_says_so(empty, samples) -> None:
    report = import_qdpx(empty, samples / MAXQDA, add_codes=True)
    assert len(report.codes_added) == 307
    missing = [w for w in report.warnings if "not in a lone .qde" in w]
    assert len(missing) == 10 and all(w.startswith("line ") for w in missing)
    assert report.documents_added == []
    colours = {c.path: c.color for c in codebook.list_codes(empty)}
    assert len(set(colours.values())) > 1  # MAXQDA's colours were kept


# ---------------------------------------------------------------------------- merging


def test_existing_codes_and_coders_are_kept_and_reported(empty, samples) -> None:
    codebook.add_code(empty, "Commits", color="#123456", description="mine")
    enric = coders.add_coder(empty, "Enric Llagostera")
    report = import_qdpx(empty, samples / ATLAS, add_codes=True)
    assert report.codes_existing == ["Commits"]
    assert len(report.codes_added) == 2
    assert report.coders_matched == ["Enric Llagostera"] and report.coders_added == ["ATLAS.ti"]
    mine = codebook.find_code(empty, "Commits")
    assert (mine.color, mine.description) == ("#123456", "mine")
    assert coders.find_coder(empty, "Enric Llagostera").id == enric.id


def test_new_codes_keep_the_files_order_after_the_projects_own(empty, samples) -> None:
    codebook.add_code(empty, "Mine")
    codebook.add_code(empty, "Commits/Earlier")
    import_qdpx(empty, samples / ATLAS, add_codes=True)
    assert [c.path for c in codebook.list_codes(empty)] == [
        "Mine",
        "Commits",
        "Commits/Earlier",
        "Commits/2022-05-10T02:05:59Z 19e4dce",
        "Commits/2022-02-11T10:39:25Z cdbfd92",
    ]
    added = codebook.add_code(empty, "Commits/Later")  # the codebook service still works on it
    assert codebook.list_codes(empty)[-1].id == added.id
    history = [e for e in audit.history(empty, entity="code") if e.action == "create"]
    assert [e.new["name"] for e in history][-3:] == [
        "2022-05-10T02:05:59Z 19e4dce", "2022-02-11T10:39:25Z cdbfd92", "Later",
    ]  # fmt: skip


def test_without_add_codes_a_file_with_new_codes_is_refused_unchanged(empty, samples) -> None:
    codebook.add_code(empty, "Own code")  # a codebook of its own: new codes need a yes
    before, audits = state(empty), audit_count(empty)
    with pytest.raises(RefiImportRefused, match="152 code.*--add-codes") as exc:
        import_qdpx(empty, samples / NVIVO_WIN)
    assert len(exc.value.report.missing_codes) == 152
    assert state(empty) == before and audit_count(empty) == audits
    assert coders.list_coders(empty) == []


def test_a_failure_half_way_leaves_the_project_unchanged(empty, samples, monkeypatch) -> None:
    codebook.add_code(empty, "Kept")
    before, audits, settings = state(empty), audit_count(empty), empty.settings()

    original = refi_store.BatchWriter.write
    calls: list[int] = []

    def fail_on_the_second(self):
        # Coders, codes, the first document and its codings are stored by then.
        calls.append(len(self.docs))
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(self)

    monkeypatch.setattr(refi_store, "BATCH_DOCUMENTS", 1)  # one write per document
    monkeypatch.setattr(refi_store.BatchWriter, "write", fail_on_the_second)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    assert state(empty) == before and audit_count(empty) == audits
    assert empty.settings() == settings


def test_same_coder_name_in_the_file_twice_is_one_coder(empty, tmp_path) -> None:
    path = make_qdpx(
        tmp_path,
        users=[("ana", G_USER), ("ana", G_USER2)],
        selections=[(0, 3, G_USER), (4, 7, G_USER2)],
    )
    report = import_qdpx(empty, path, add_codes=True)
    assert report.coders_added == ["ana"]
    assert any("two users are named 'ana'" in w for w in report.warnings)
    assert {c[2] for c in state(empty)["codings"]} == {"ana"}


# ---------------------------------------------------------------------------- bad files

G_CODE = "11111111-1111-4111-8111-111111111111"
G_USER = "22222222-2222-4222-8222-222222222222"
G_USER2 = "22222222-2222-4222-8222-222222222223"
G_SRC = "33333333-3333-4333-8333-333333333333"


def make_qdpx(
    tmp_path: Path,
    *,
    text: bytes = b"abc def ghi",
    users=(("ana", G_USER),),
    selections=((0, 3, G_USER),),
    extra_sources: str = "",
    notes: dict[int, str] | None = None,
) -> Path:
    """``notes``: {index of a selection: the text of a Note its Coding refers to}."""
    notes = notes or {}
    users_xml = "".join(f'<User guid="{g}" name="{n}"/>' for n, g in users)
    sels = "".join(
        f'<PlainTextSelection guid="44444444-4444-4444-8444-{i:012d}" startPosition="{a}" '
        f'endPosition="{b}" creatingUser="{u}"><Coding guid="55555555-5555-4555-8555-{i:012d}" '
        f'creatingUser="{u}"><CodeRef targetGUID="{G_CODE}"/>'
        + (f'<NoteRef targetGUID="77777777-7777-4777-8777-{i:012d}"/>' if i in notes else "")
        + "</Coding></PlainTextSelection>"
        for i, (a, b, u) in enumerate(selections)
    )
    notes_xml = "".join(
        f'<Note guid="77777777-7777-4777-8777-{i:012d}"><PlainTextContent>{t}</PlainTextContent>'
        "</Note>"
        for i, t in notes.items()
    )
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Some Tool 1.0">
<Users>{users_xml}</Users>
<CodeBook><Codes><Code guid="{G_CODE}" name="Emotion" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="{G_SRC}" name="doc" plainTextPath="internal://s.txt">
{sels}
</TextSource>{extra_sources}
</Sources>
{f"<Notes>{notes_xml}</Notes>" if notes_xml else ""}
</Project>"""
    path = tmp_path / "in.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/s.txt", text)
    return path


def test_a_selection_out_of_range_is_skipped_with_its_line(empty, tmp_path) -> None:
    path = make_qdpx(tmp_path, selections=[(0, 3, G_USER), (4, 99, G_USER), (8, 11, G_USER)])
    report = import_qdpx(empty, path, add_codes=True)
    assert report.codings_imported == 2
    (bad,) = [w for w in report.warnings if "outside its text" in w]
    assert bad.startswith("line ") and "[4, 99)" in bad
    assert {c[5] for c in state(empty)["codings"]} == {"abc", "ghi"}


def test_codings_without_a_user_go_to_an_unknown_coder(empty, tmp_path) -> None:
    path = make_qdpx(tmp_path, users=(), selections=[(0, 3, ""), (4, 7, "")])
    report = import_qdpx(empty, path, add_codes=True)
    assert report.coders_added == ["Unknown coder"] and report.codings_imported == 2
    assert any("2 codings name no user" in w for w in report.warnings)
    assert {c[2] for c in state(empty)["codings"]} == {"Unknown coder"}


def test_a_coding_twice_in_the_file_with_different_memos_keeps_the_first(empty, tmp_path) -> None:
    path = make_qdpx(
        tmp_path,
        users=[("ana", G_USER), ("ana", G_USER2)],  # one coder: the same coding twice
        selections=[(0, 3, G_USER), (0, 3, G_USER2), (4, 7, G_USER), (4, 7, G_USER2)],
        notes={0: "first", 1: "second", 3: "filled"},
    )
    report = import_qdpx(empty, path, add_codes=True)
    assert (report.codings_imported, report.codings_duplicate) == (2, 2)
    assert report.memo_conflicts == [] and report.codings_memo_filled == 0
    assert any(
        "twice with different memos; the first, 'first', is kept" in w for w in report.warnings
    )
    assert sorted(memos(empty).values()) == ["filled", "first"]


def test_non_text_sources_are_skipped_with_a_warning(empty, tmp_path) -> None:
    pdf = '<PDFSource guid="66666666-6666-4666-8666-666666666666" name="scan.pdf" path="internal://x.pdf"/>'
    report = import_qdpx(empty, make_qdpx(tmp_path, extra_sources=pdf), add_codes=True)
    # (a PDFSource with a text Representation is imported: see test_refi_pdf)
    assert any("PDFSource 'scan.pdf' has no text Representation; skipped" in w
               for w in report.warnings)  # fmt: skip
    assert report.documents_added == ["doc"] and report.codings_imported == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 this is no zip", "not"),
        (b"<Project", "well-formed"),
        (b"<?xml version='1.0'?><CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", "not a REFI-QDA"),
    ],
)
def test_a_file_that_is_no_project_is_refused_unchanged(empty, tmp_path, content, message) -> None:
    codebook.add_code(empty, "Kept")
    before = state(empty)
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(content)
    with pytest.raises(RefiImportRefused, match=message):
        import_qdpx(empty, bad, add_codes=True)
    assert state(empty) == before


def test_a_hostile_archive_is_refused(empty, tmp_path) -> None:
    path = tmp_path / "evil.qdpx"
    xml = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
    with pytest.raises(RefiImportRefused):
        import_qdpx(empty, path, add_codes=True)
    assert empty.info()["codes"] == 0


# ---------------------------------------------------------------------------- export


@pytest.fixture
def coded(tmp_path, samples):
    """The NVivo project, plus a document with emoji coded by a third coder with a memo."""
    p = Project.create(tmp_path / "coded.tessera")
    import_qdpx(p, samples / NVIVO_WIN, add_codes=True)
    doc = documents.add_document(
        p,
        name="emoji.txt",
        text="Fire \U0001f525 and ice \u2744\ufe0f, e\u0301t\u00e9.\n",
        kind="txt",
    )
    zoe = coders.add_coder(p, "Zoë")
    code = codebook.add_code(p, "Weather/Cold", color="#00aaff", description="chilly")
    start = "Fire \U0001f525 and ice".index("ice")
    c = codings.apply_coding(p, document_id=doc.id, code_id=code.id, coder_id=zoe.id,
                             start=start, end=start + 5, memo="snowflake \u2744\ufe0f + VS16\nZoë's second line")  # fmt: skip
    assert c.quote == "ice \u2744"
    yield p
    p.close()


MEMOS = [
    "Első sor\nMásodik sor – „idézet” 😀",
    "line one\n\nline three, after a blank line\n\tand a tab",
    "Ελληνικά / 中文 / עברית: <markup> & \"quotes\" 'apostrophes' ]]>",
]


def give_memos(project) -> None:
    """Memos on NVivo codings, two of them on one passage by one coder (one selection)."""
    with project.session() as s:
        rows = s.execute(
            select(m.Coding.id, m.Coding.document_id, m.Coding.coder_id, m.Coding.start,
                   m.Coding.end).order_by(m.Coding.id)
        ).all()  # fmt: skip
    by_span = collections.defaultdict(list)
    for cid, *span in rows:
        by_span[tuple(span)].append(cid)
    shared = next(ids for ids in by_span.values() if len(ids) > 1)
    alone = next(ids[0] for ids in by_span.values() if len(ids) == 1)
    for cid, memo in zip([*shared[:2], alone], MEMOS, strict=True):
        codings.set_memo(project, cid, memo)


def test_export_is_valid_and_comes_back_the_same(coded, tmp_path, schema) -> None:
    give_memos(coded)
    assert len(memos(coded)) == 4
    out = tmp_path / "out.qdpx"
    report = export_qdpx(coded, out)
    assert (report.documents, report.codes, report.codings) == (3, 154, 304)
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        texts = [n for n in zf.namelist() if n.startswith("sources/")]
    assert schema.validate(root), schema.error_log
    assert len(texts) == 3
    fresh = Project.create(tmp_path / "fresh.tessera")
    back = import_qdpx(fresh, out, add_codes=True)
    assert back.codings_imported == 304 and back.codings_skipped == []
    assert back.offset_unit == "code points"
    assert not [w for w in back.warnings if "UTF-16" in w or "names the text" in w]
    assert state(fresh) == state(coded)
    assert memos(fresh) == memos(coded)  # non-ASCII, newlines, tabs, markup: the same
    assert set(memos(fresh).values()) == {
        *MEMOS,
        "snowflake \u2744\ufe0f + VS16\nZoë's second line",
    }
    assert not [w for w in back.warnings if "note" in w]

    def looks(project) -> dict:
        return {
            c.path: (c.color, c.description, c.inclusion, c.exclusion, c.examples)
            for c in codebook.list_codes(project)
        }

    assert looks(fresh) == looks(coded)
    assert {d.name for d in documents.list_documents(fresh)} == {
        d.name for d in documents.list_documents(coded)
    }
    fresh.close()


def test_importing_own_export_again_keeps_the_projects_memos(coded, tmp_path) -> None:
    """A coding already in the project: the project's memo stays; a memo it lacks is
    filled in; where both differ, a conflict is reported (as a merge reports it)."""
    give_memos(coded)
    out = tmp_path / "out.qdpx"
    export_qdpx(coded, out)
    file_memos = memos(coded)
    with coded.session() as s:
        by_memo = {memo: cid for cid, memo in s.execute(select(m.Coding.id, m.Coding.memo))}
    codings.set_memo(coded, by_memo[MEMOS[0]], "")  # lacks it now: filled back in
    codings.set_memo(coded, by_memo[MEMOS[1]], "changed here")  # differs: kept, reported
    expected = {**file_memos}
    (changed,) = [k for k, v in file_memos.items() if v == MEMOS[1]]
    expected[changed] = "changed here"
    before, audits = memos(coded), audit_count(coded)

    dry = import_qdpx(coded, out, dry_run=True)
    assert memos(coded) == before and audit_count(coded) == audits
    report = import_qdpx(coded, out)
    for r in (dry, report):
        assert r.codings_imported == 0 and r.codings_duplicate == 304
        assert r.codings_memo_filled == 1
        (conflict,) = r.memo_conflicts
        assert (conflict.what, conflict.target_value, conflict.source_value, conflict.kept) == (
            "memo", "changed here", MEMOS[1], "target"
        )  # fmt: skip
        assert (conflict.code, conflict.coder, conflict.start, conflict.end) == changed[1:]
        (line,) = [w for w in r.warnings if "memo" in w]
        assert "'changed here' is kept" in line and conflict.document in line
    assert memos(coded) == expected
    assert audit_count(coded) == audits + 2  # the filled memo, and the import itself


def test_coder_guids_are_in_the_teams_services_format(coded, tmp_path) -> None:
    export_qdpx(coded, tmp_path / "out.qdpx")
    stored = coded.settings()["coder_guids"]
    assert all(key.isdigit() for key in stored)
    teams = pytest.importorskip("desktop.services.teams.teams")
    assert teams.coder_guids(coded) == {int(k): v for k, v in stored.items()}


def test_guids_are_stored_once_and_kept(coded, tmp_path) -> None:
    first = export_qdpx(coded, tmp_path / "a.qdpx")
    assert first.guids_assigned == 3  # the two codes and the coder made in Tessera
    guids = coded.settings()["coder_guids"]
    # The teams service's format: coder id as text -> GUID; NVivo's user GUIDs adopted.
    ids = {c.name: str(c.id) for c in coders.list_coders(coded)}
    assert set(guids) == set(ids.values())
    second = export_qdpx(coded, tmp_path / "b.qdpx")
    assert second.guids_assigned == 0

    def ids_in(path: Path) -> tuple[list, list]:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("project.qde"))
        return (
            sorted((u.get("name"), u.get("guid")) for u in root.iter(f"{P}User")),
            sorted(c.get("guid") for c in root.iter(f"{P}Code")),
        )

    assert ids_in(tmp_path / "a.qdpx") == ids_in(tmp_path / "b.qdpx")
    assert all(c.guid for c in codebook.list_codes(coded))


def test_users_keep_their_guid_from_the_file_they_came_from(empty, samples, tmp_path) -> None:
    with zipfile.ZipFile(samples / NVIVO_WIN) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    original = {u.get("name"): u.get("guid").lower() for u in root.iter(f"{P}User")}
    import_qdpx(empty, samples / NVIVO_WIN, add_codes=True)
    export_qdpx(empty, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        back = etree.fromstring(zf.read("project.qde"))
    assert {u.get("name"): u.get("guid") for u in back.iter(f"{P}User")} == original
    codes_in = {c.get("guid").lower() for c in root.iter(f"{P}Code")}
    assert {c.get("guid") for c in back.iter(f"{P}Code")} == codes_in
    assert {s.get("guid") for s in back.iter(f"{P}TextSource")} == {
        s.get("guid").lower() for s in root.iter(f"{P}TextSource")
    }


def test_two_coders_sharing_an_identity_are_still_two_users(empty, tmp_path, schema) -> None:
    ana, ben = coders.add_coder(empty, "ana"), coders.add_coder(empty, "ben")
    same = "0f0f0f0f-0000-4000-8000-000000000001"
    empty.update_settings(coder_guids={str(ana.id): same, str(ben.id): same})
    export_qdpx(empty, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(root), schema.error_log
    guids = {u.get("name"): u.get("guid") for u in root.iter(f"{P}User")}
    assert guids["ana"] == same and guids["ben"] != same


def test_export_of_some_coders_only(coded, tmp_path) -> None:
    out = tmp_path / "gergo.qdpx"
    report = export_qdpx(coded, out, coders=["Gergo", "Zoë"])
    assert report.coders == ["Gergo", "Zoë"] and report.codings == 7
    fresh = Project.create(tmp_path / "fresh.tessera")
    import_qdpx(fresh, out, add_codes=True)
    assert {c.name for c in coders.list_coders(fresh)} == {"Gergo", "Zoë"}
    expected = {c for c in state(coded)["codings"] if c[2] in ("Gergo", "Zoë")}
    assert state(fresh)["codings"] == expected
    fresh.close()
    with pytest.raises(NotFound, match="no coder named 'Nobody'"):
        export_qdpx(coded, tmp_path / "x.qdpx", coders=["Nobody"])
    assert not (tmp_path / "x.qdpx").exists()


def test_export_of_an_empty_project_is_valid(empty, tmp_path, schema) -> None:
    report = export_qdpx(empty, tmp_path / "e.qdpx")
    assert (report.documents, report.codes, report.codings) == (0, 0, 0)
    with zipfile.ZipFile(tmp_path / "e.qdpx") as zf:
        assert schema.validate(etree.fromstring(zf.read("project.qde")))


def _five_documents(project) -> None:
    for i in range(5):
        documents.add_document(project, name=f"d{i}.txt", text=f"Talks resumed, day {i}.",
                               kind="txt")  # fmt: skip


def test_an_import_cancelled_half_way_stores_nothing(empty, tmp_path):
    """Cancel is looked at with each source: a cancelled import rolls back whole."""
    from desktop.core.importers.base import ImportCancelled

    with Project.create(tmp_path / "five.tessera") as five:
        _five_documents(five)
        export_qdpx(five, tmp_path / "five.qdpx")
    before = state(empty)
    seen: list[int] = []
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_qdpx(empty, tmp_path / "five.qdpx",
                    progress=lambda done, total: seen.append(done),
                    cancelled=lambda: len(seen) >= 2)  # fmt: skip
    assert len(seen) == 2  # stopped at the first look after Cancel
    assert state(empty) == before
    assert import_qdpx(empty, tmp_path / "five.qdpx").documents_added  # and it can be redone


def test_an_export_cancelled_half_way_leaves_no_file(empty, tmp_path):
    from desktop.services.exchange.refi_export import RefiExportCancelled

    _five_documents(empty)
    out = tmp_path / "out.qdpx"
    seen: list[int] = []
    with pytest.raises(RefiExportCancelled, match="nothing was written"):
        export_qdpx(empty, out, progress=lambda done, total: seen.append(done),
                    cancelled=lambda: len(seen) >= 2)  # fmt: skip
    assert len(seen) == 2
    assert [p.name for p in tmp_path.iterdir() if "out" in p.name] == []  # no partial file
