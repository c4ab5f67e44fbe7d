"""The documents list over a project with more documents than a page: it knows how many
rows there are at once and reads the documents only of the pages a view shows, and
sorting, filtering, counts and selection stay right."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.documents.listing import DocumentListing
from desktop.services.project.project import Project
from desktop.services.teams import coders
from desktop.ui.models import ID_ROLE, DocumentListModel

N = 450  # documents: more than two pages of the list


@pytest.fixture(scope="module")
def big_project(tmp_path_factory) -> Path:
    """N documents (every 7th a PDF-like kind, every 5th coded i % 9 times by ana)."""
    tmp = tmp_path_factory.mktemp("big")
    folder = tmp / "files"
    folder.mkdir()
    for i in range(N):
        (folder / f"doc {i:04d}.txt").write_text(f"Document number {i}.\n", "utf-8")
    path = tmp / "big.tessera"
    p = Project.create(path, template="conflict-news", name="Big")
    p.actor = "ana"
    assert documents.import_files(p, [folder]).ok
    ana = coders.add_coder(p, "ana")
    code = codebook.find_code(p, "Actors").id
    for d in documents.list_documents(p):
        i = int(d.name[4:8])
        for k in range(i % 9 if i % 5 == 0 else 0):
            codings.apply_coding(p, document_id=d.id, code_id=code, coder_id=ana.id,
                                 start=k, end=k + 3)  # fmt: skip
    p.close()
    return path


@pytest.fixture
def project(big_project):
    p = Project.open(big_project)
    yield p
    p.close()


def shown(model, column: int = 0) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_list_counts_its_rows_and_reads_only_the_pages_shown(qapp, project, qtmodeltester):
    model = DocumentListModel()
    model.set_listing(DocumentListing(project))
    assert model.rowCount() == N and model.rows_read == 0  # the order alone
    assert model.index(3, 0).data() == "doc 0003.txt" and model.rows_read == 0
    assert model.index(3, 3).data() == ""  # 3 is not coded
    assert model.rows_read == model.PAGE and model.loaded() == model.PAGE
    assert model.index(10, 3).data() == "1"  # (10 % 9)
    assert model.rows_read == model.PAGE  # the same page
    assert model.index(N - 1, 1).data() == "txt"
    assert model.rows_read == model.PAGE + N % model.PAGE  # and the last page
    assert model.index(5, 0).data(ID_ROLE) == model.document(5).id
    assert model.index(5, 2).data() == "–"  # no pages
    qtmodeltester.check(model)


def test_the_cache_of_rows_is_bounded(qapp, project):
    model = DocumentListModel()
    model.PAGE, model.CACHED = 20, 100
    model.set_listing(DocumentListing(project))
    for r in range(model.rowCount()):
        model.index(r, 1).data()
    assert model.rows_read == N and model.loaded() <= 100
    assert model.document(0).name == "doc 0000.txt"  # read again when needed


def test_sorting_and_filtering_a_list_longer_than_a_page(qapp, project):
    model = DocumentListModel()
    model.set_listing(DocumentListing(project))
    everyone = documents.list_documents(project)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    expected = sorted(everyone, key=lambda d: -d.codings)  # ties by name (stable)
    assert shown(model) == [d.name for d in expected]
    assert shown(model, 3) == [str(d.codings) if d.codings else "" for d in expected]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert shown(model) == sorted((d.name for d in everyone), reverse=True)
    model.set_filter("DOC 01")
    assert model.rowCount() == 100 and shown(model)[0] == "doc 0199.txt"
    assert model.row_of(everyone[5].id) == -1 and model.row_of(everyone[150].id) == 49
    model.set_filter("")
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert shown(model) == [d.name for d in everyone]


def test_counts_follow_the_coders_counted_and_a_bump_shows_at_once(qapp, project):
    ana = next(c for c in coders.list_coders(project) if c.name == "ana")
    model = DocumentListModel()
    model.set_listing(DocumentListing(project, []))  # a view counting no one
    assert set(shown(model, 3)) == {""}
    model.set_listing(DocumentListing(project, [ana.id]))
    row = model.row_of(documents.find_document(project, "doc 0010.txt").id)
    assert model.index(row, 3).data() == "1"
    model.bump(model.document(row).id, +2)
    assert model.index(row, 3).data() == "3"


def test_a_document_with_import_notes_is_marked_and_its_tooltip_says_why(qapp, tmp_path):
    (tmp_path / "fa.txt").write_bytes("آتش‌بس در شهر برقرار شد.".encode("cp1256"))
    (tmp_path / "en.txt").write_text("A plain note.", "utf-8")
    with Project.create(tmp_path / "p.tessera") as p:
        documents.import_files(p, [tmp_path / "fa.txt", tmp_path / "en.txt"])
        model = DocumentListModel()
        model.set_listing(DocumentListing(p))
        assert shown(model) == ["en.txt", "fa.txt"]
        assert model.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is not None
        assert "read as Windows-1256" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None


def test_the_window_reads_a_page_of_the_list_and_selects_deep_in_it(make_window, big_project):
    w = make_window(big_project)
    panel = w.documents_panel
    assert panel.model.rowCount() == N
    assert 0 < panel.model.loaded() < N  # the rows on screen, not every document
    last = documents.find_document(w.project, f"doc {N - 1:04d}.txt").id
    panel.select(last)
    assert w.document_id == last and w.doc_title.text() == f"doc {N - 1:04d}.txt"
    panel.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert panel.view.currentIndex().data(ID_ROLE) == last  # the selection follows it
    assert panel.view.currentIndex().row() == panel.model.row_of(last)
    qtbot_keys = panel.filter
    qtbot_keys.setText("0449")
    assert panel.model.rowCount() == 1 and panel.view.currentIndex().data(ID_ROLE) == last


def test_rows_are_as_tall_as_a_large_font_needs(qapp):
    from PySide6.QtGui import QFont

    from desktop.ui.workbench.panels import DocumentsPanel

    panel = DocumentsPanel()
    font = QFont(panel.view.font())
    font.setPointSize(28)
    panel.view.setFont(font)
    assert panel.view.verticalHeader().defaultSectionSize() > panel.view.fontMetrics().height()


def test_a_renamed_document_moves_to_its_place_and_a_selection_follows_it(qapp, tmp_path):
    from PySide6.QtCore import QPersistentModelIndex

    with Project.create(tmp_path / "p.tessera") as p:
        ids = [documents.add_document(p, name=f"d{i}.txt", text=f"text {i}", kind="txt").id
               for i in range(5)]  # fmt: skip
        model = DocumentListModel()
        model.set_listing(DocumentListing(p))
        held = QPersistentModelIndex(model.index(0, 0))
        documents.update_metadata(p, ids[0], name="z.txt")
        model.update(documents.get_document(p, ids[0]))
        assert shown(model) == ["d1.txt", "d2.txt", "d3.txt", "d4.txt", "z.txt"]
        assert held.row() == 4 and held.data(ID_ROLE) == ids[0]
        model.set_filter("d")
        documents.update_metadata(p, ids[1], name="x.txt")
        model.update(documents.get_document(p, ids[1]))  # no longer matches the filter
        assert shown(model) == ["d2.txt", "d3.txt", "d4.txt"]


def test_rows_that_cannot_be_read_show_their_names_and_are_read_again_later(qapp, project):
    from desktop.services.errors import ServiceError

    class OutOfReach(DocumentListing):
        reachable = True

        def rows(self, ids, names=None):
            if not self.reachable:
                raise ServiceError("the connection to the team server was lost")
            return super().rows(ids, names)

    listing = OutOfReach(project)
    model = DocumentListModel()
    model.set_listing(listing)
    listing.reachable = False
    assert model.index(0, 0).data() == "doc 0000.txt" and model.index(0, 1).data() == ""
    listing.reachable = True
    assert model.index(0, 1).data() == "txt"


def test_a_name_that_starts_right_to_left_is_right_aligned(qapp, tmp_path):
    p = Project.create(tmp_path / "rtl.tessera", template="empty")
    try:
        documents.add_document(p, name="تقرير درعا.txt", text="نص", kind="txt")
        documents.add_document(p, name="report.txt", text="text", kind="txt")
        model = DocumentListModel()
        model.set_listing(DocumentListing(p))
        align = {model.index(r, 0).data(): model.index(r, 0).data(Qt.ItemDataRole.TextAlignmentRole)
                 for r in range(model.rowCount())}  # fmt: skip
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        assert align == {"تقرير درعا.txt": right, "report.txt": None}
    finally:
        p.close()


def test_a_big_list_filters_once_typing_pauses(qtbot, project, monkeypatch):
    """Filtering reads the order again: in a big project a burst of keys reads it once,
    after the pause, not at every key; a small one filters at each key."""
    from desktop.ui.workbench import panels

    panel = panels.DocumentsPanel()
    qtbot.addWidget(panel)
    listing = DocumentListing(project)
    reads: list[str] = []
    real = listing.order
    monkeypatch.setattr(listing, "order", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    panel.model.set_listing(listing)
    monkeypatch.setattr(panels, "FILTER_WHEN_PAUSED", N - 1)  # this project counts as big
    reads.clear()
    qtbot.keyClicks(panel.filter, "doc 01")
    assert reads == [] and panel.model.rowCount() == N  # nothing read while typing
    qtbot.waitUntil(lambda: panel.model.rowCount() == 100)  # doc 0100 .. doc 0199
    assert reads == ["doc 01"]
    monkeypatch.setattr(panels, "FILTER_WHEN_PAUSED", N)  # small: at each key
    reads.clear()
    qtbot.keyClicks(panel.filter, "5")
    assert reads == ["doc 015"] and panel.model.rowCount() == 10
