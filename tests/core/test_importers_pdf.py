"""Importing PDFs: reading order, right-to-left scripts, hyphenation, ligatures, pages,
metadata, unmapped glyphs, bad files, progress and cancelling (in one process and in the
page workers)."""

from __future__ import annotations

import multiprocessing
import re
import time
from pathlib import Path

import pytest

from desktop.core.importers import ImportCancelled, ImportFailure, extract
from desktop.core.importers import pdf as pdf_importer
from desktop.core.importers.pdf_layout import join_hyphenated
from tests.core.importer_fixtures import columns_page_stream, text_page_stream, write_pdf


def flat(text: str) -> str:
    """Whitespace collapsed: line breaks inside a paragraph do not matter to a reader."""
    return re.sub(r"\s+", " ", text)


def page_texts(doc) -> list[str]:
    return [doc.text[a:b] for a, b in doc.pages]


@pytest.fixture(scope="module")
def multicolumn(shared_dir):
    return extract(shared_dir / "pdfs" / "multicolumn.pdf")


@pytest.fixture(scope="module")
def federal_register(shared_dir):
    return extract(shared_dir / "pdfs" / "federal-register-2020-17221.pdf")


# --- real documents -------------------------------------------------------------------


def test_two_columns_are_read_one_after_the_other(multicolumn):
    text = flat(multicolumn.text)
    # A sentence of the left column is whole, not interleaved with the right column.
    assert (
        "Lorem ipsum dolor sit amet, consectetuer adipiscing elit. Ut purus elit, vestibulum ut, "
        "placerat ac, adipiscing vitae, felis. Curabitur dictum gravida mauris." in text
    )
    # The left column ends mid-sentence; the right column's top finishes it.
    assert "Vivamus viverra fermentum felis. Donec nonummy pellentesque ante. Phasellus" in text
    # A justified line that layout analysis splits in two is put back in order.
    assert "purus vel magna. Integer non enim. Praesent euismod nunc eu purus." in text
    assert text.index("Nulla malesuada porttitor diam") < text.index("Quisque ullamcorper placerat")


def test_words_hyphenated_at_line_ends_are_joined(multicolumn):
    text = multicolumn.text
    assert "adipiscing elit" in text and "adip-" not in text
    assert "consectetuer id" in text and "con-\n" not in text
    assert not re.search(r"[a-z]-\n[a-z]", text)


def test_ligatures_are_expanded(multicolumn):
    assert "two columns filled" in flat(multicolumn.text)
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in multicolumn.text)


def test_pages_cover_the_text_in_order(multicolumn):
    pages = multicolumn.pages
    assert len(pages) == 3
    assert pages[0][0] == 0 and pages[-1][1] == len(multicolumn.text)
    for (a, b), (c, d) in zip(pages, pages[1:], strict=False):
        assert a <= b <= c <= d
    first, second, third = page_texts(multicolumn)
    assert first.startswith("Two-Column Document with Lorem Ipsum")
    assert "Abstract" in first and "Abstract" not in second + third
    assert all(t.strip() for t in (first, second, third))


def test_pdf_metadata(multicolumn, shared_dir):
    assert multicolumn.kind == "pdf"
    assert multicolumn.metadata.get("date") == "2024-01-03"
    google = extract(shared_dir / "pdfs" / "google-doc-document.pdf")
    assert google.metadata["title"] == "PDF Example Document"
    assert "Beautiful is better than ugly." in google.text


def test_three_columns_of_the_federal_register(federal_register):
    doc = federal_register
    assert len(doc.pages) == 15
    text = flat(doc.text)
    assert page_texts(doc)[0].startswith("47698")
    # An indented first line, which layout analysis puts in a box of its own, stays
    # with the rest of its paragraph.
    assert "You may examine the AD docket on the internet at https:// www.regulations.gov" in text
    assert "AGENCY: Federal Aviation Administration (FAA), DOT." in text
    # Sideways text in the margin is not spelt out letter by letter.
    assert "\nS\nL\nA\n" not in doc.text


def test_court_transcript(shared_dir):
    doc = extract(shared_dir / "pdfs" / "scotus-transcript-p1.pdf")
    assert "IN THE SUPREME COURT OF THE UNITED STATES" in doc.text
    assert "Washington, D.C." in doc.text
    assert doc.metadata.get("date") == "2009-01-13"
    assert "title" not in doc.metadata  # its Title entry is "10811.exe"


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Microsoft Word - Interview 3.docx", None),
        ("Microsoft Word - Flood report", "Flood report"),
        ("draft_v2.tex", None),
        ("Rivers rise in the north", "Rivers rise in the north"),
        (None, None),
    ],
)
def test_pdf_titles_that_are_file_names_are_dropped(raw, title):
    assert pdf_importer.pdf_title(raw) == title


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("D:20240103120000Z", "2024-01-03"),
        ("D:19991231", "1999-12-31"),
        ("D:2001", "2001"),
        ("20230415093000+02'00'", "2023-04-15"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_pdf_dates(raw, date):
    assert pdf_importer.pdf_date(raw) == date


# --- made-up documents ----------------------------------------------------------------


def test_hyphen_rule():
    assert join_hyphenated("infor-\nmation") == "information"
    assert join_hyphenated("Smith-\nJones") == "Smith-\nJones"
    assert join_hyphenated("1990-\n95") == "1990-\n95"
    assert join_hyphenated("pre-\nWar") == "pre-\nWar"
    assert join_hyphenated("a well-known fact") == "a well-known fact"
    assert join_hyphenated("co\u00ad\noperation") == "cooperation"


def test_generated_pdf_text_metadata_and_columns(tmp_path):
    path = write_pdf(
        tmp_path / "report.pdf",
        [
            text_page_stream(
                ["The researchers gathered infor-", "mation from Smith-", "Jones and others."]
            ),
            columns_page_stream(
                ["Left column says one thing", "and carries on here."],
                ["Right column says another", "and ends there."],
            ),
        ],
        info={
            "Title": "Report on “naïve” readers",
            "Author": "Jane Doe",
            "CreationDate": "D:20230415093000+02'00'",
        },
    )
    doc = extract(path)
    assert doc.metadata == {
        "title": "Report on “naïve” readers",
        "author": "Jane Doe",
        "date": "2023-04-15",
    }
    first, second = page_texts(doc)
    assert first == "The researchers gathered information from Smith-\nJones and others."
    assert second == (
        "Left column says one thing\nand carries on here.\n\n"
        "Right column says another\nand ends there."
    )
    assert doc.warnings == []


# --- bad files ------------------------------------------------------------------------


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [b"", b""], image_pages={0, 1})
    with pytest.raises(ImportFailure) as info:
        extract(path)
    assert "no text layer" in str(info.value) and "OCR" in str(info.value)


def test_pdf_with_one_scanned_page_imports_with_a_warning(tmp_path):
    path = write_pdf(
        tmp_path / "mixed.pdf", [text_page_stream(["Typed page."]), b""], image_pages={1}
    )
    doc = extract(path)
    assert doc.text == "Typed page."
    assert len(doc.pages) == 2
    a, b = doc.pages[1]
    assert a == b  # the scanned page is there, empty
    assert any("page 2 has no text" in w for w in doc.warnings)


def test_encrypted_pdf_is_refused(tmp_path):
    path = write_pdf(tmp_path / "secret.pdf", [text_page_stream(["Secret."])], encrypt=True)
    with pytest.raises(ImportFailure, match="password-protected"):
        extract(path)


def test_pdf_encrypted_by_a_real_tool_is_refused(tmp_path, shared_dir):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=shared_dir / "pdfs" / "google-doc-document.pdf")
    writer.encrypt(user_password="open sesame", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ImportFailure, match="password-protected"):
        extract(path)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256-R5", "AES-256"])
def test_pdf_with_only_an_owner_password_opens(tmp_path, shared_dir, algorithm):
    """Restrictions on printing/copying, but no password to open: readers open it."""
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=shared_dir / "pdfs" / "google-doc-document.pdf")
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "Beautiful is better than ugly." in extract(path).text


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6])
def test_truncated_pdf_is_refused(tmp_path, shared_dir, keep):
    data = (shared_dir / "pdfs" / "multicolumn.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ImportFailure, match="damaged or incomplete"):
        extract(path)


def test_generated_truncated_pdf_is_refused(tmp_path):
    path = write_pdf(tmp_path / "cut.pdf", [text_page_stream(["Hello."])], truncate_at=0.6)
    with pytest.raises(ImportFailure, match="damaged or incomplete"):
        extract(path)


def test_pdf_missing_only_its_end_imports_with_a_warning(tmp_path, shared_dir):
    data = (shared_dir / "pdfs" / "google-doc-document.pdf").read_bytes()
    cut = data[: data.rindex(b"%%EOF")]
    path = tmp_path / "almost.pdf"
    path.write_bytes(cut)
    doc = extract(path)
    assert "Beautiful is better than ugly." in doc.text
    assert any("seems incomplete" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "data",
    [b"just some text, renamed to .pdf\n", b"%PDF-1.7\n" + b"garbage " * 500, b""],
)
def test_files_that_are_not_pdfs(tmp_path, data):
    path = tmp_path / "fake.pdf"
    path.write_bytes(data)
    with pytest.raises(ImportFailure, match="not a PDF|damaged"):
        extract(path)


# --- progress, cancelling, closing pages ----------------------------------------------


def test_progress_is_reported_per_page(multicolumn, shared_dir):
    calls: list[tuple[int, int]] = []
    extract(shared_dir / "pdfs" / "multicolumn.pdf", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_cancel_between_pages(shared_dir):
    calls: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        extract(
            shared_dir / "pdfs" / "federal-register-2020-17221.pdf",
            progress=lambda d, t: calls.append((d, t)),
            cancelled=lambda: len(calls) >= 2,
        )
    assert calls == [(1, 15), (2, 15)]


def test_every_page_is_closed_after_use(shared_dir, monkeypatch):
    import pdfplumber.page

    closed = []
    real_close = pdfplumber.page.Page.close
    monkeypatch.setattr(
        pdfplumber.page.Page,
        "close",
        lambda self: (closed.append(self.page_number), real_close(self)),
    )
    extract(shared_dir / "pdfs" / "multicolumn.pdf")
    assert closed[:3] == [1, 2, 3]  # each in turn, not all at the end


def _numbered_pdf(tmp_path: Path, n: int) -> Path:
    pages = [
        text_page_stream([f"Page {i + 1} begins here.", f"Line two of page {i + 1} ends it."])
        for i in range(n)
    ]
    return write_pdf(tmp_path / "long.pdf", pages, info={"Title": "Long report"})


def test_long_pdf_in_worker_processes_gives_the_same_result(tmp_path, monkeypatch):
    path = _numbered_pdf(tmp_path, 14)
    serial = pdf_importer.extract_pdf(path, parallel=False)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)
    calls: list[tuple[int, int]] = []
    parallel = extract(path, progress=lambda d, t: calls.append((d, t)))
    assert parallel == serial
    assert page_texts(parallel)[13] == "Page 14 begins here.\nLine two of page 14 ends it."
    assert parallel.metadata == {"title": "Long report"}
    assert calls[-1] == (14, 14)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert multiprocessing.active_children() == []


def test_cancel_stops_the_worker_processes(tmp_path, monkeypatch):
    path = _numbered_pdf(tmp_path, 40)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)
    calls: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        extract(path, progress=lambda d, t: calls.append((d, t)), cancelled=lambda: bool(calls))
    assert calls and calls[-1][0] < 40
    assert multiprocessing.active_children() == []


def test_cancel_is_seen_at_the_first_page_even_when_every_page_is_already_read(
    tmp_path, monkeypatch
):
    """Small pages can all be read while the importer waits once: every page's progress is
    then queued together. Cancel pressed at the first report still stops there."""
    import concurrent.futures

    path = _numbered_pdf(tmp_path, 12)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)

    def wait_for_all(pending, timeout=None, return_when=None):
        done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.ALL_COMPLETED)
        time.sleep(0.2)  # the workers' queue feeder threads deliver every report
        return done, set()

    monkeypatch.setattr(pdf_importer, "wait", wait_for_all)
    calls: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        extract(path, progress=lambda d, t: calls.append((d, t)), cancelled=lambda: bool(calls))
    assert len(calls) == 1 and calls[0][0] < 12, calls
    assert multiprocessing.active_children() == []


def test_long_pdf_from_a_worker_thread(tmp_path, monkeypatch):
    """The GUI imports from a QThreadPool thread; spawning page workers must work there."""
    import threading

    path = _numbered_pdf(tmp_path, 8)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)
    box: dict[str, object] = {}
    thread = threading.Thread(target=lambda: box.update(doc=extract(path)))
    thread.start()
    thread.join(timeout=120)
    assert len(box["doc"].pages) == 8


def test_a_page_worker_dying_mid_way_is_a_failure_not_a_hang(tmp_path, monkeypatch):
    path = _numbered_pdf(tmp_path, 8)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)
    monkeypatch.setattr(pdf_importer, "_extract_pages", _die_after_a_page)
    with pytest.raises(ImportFailure, match="stopped unexpectedly"):
        extract(path)
    assert multiprocessing.active_children() == []


def test_page_workers_that_cannot_start_fall_back_to_one_process(tmp_path, monkeypatch):
    path = _numbered_pdf(tmp_path, 8)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 4)
    monkeypatch.setattr(pdf_importer, "_extract_pages", _die_at_once)
    calls: list[tuple[int, int]] = []
    doc = extract(path, progress=lambda d, t: calls.append((d, t)))
    assert page_texts(doc)[7] == "Page 8 begins here.\nLine two of page 8 ends it."
    assert calls[-1] == (8, 8)


def _die_at_once(path: str, numbers: list[int]):
    import os

    os._exit(3)


def _die_after_a_page(path: str, numbers: list[int]):
    import os
    import time

    pdf_importer._worker_queue.put(1)
    time.sleep(0.5)  # let the parent see the page done
    os._exit(3)


def test_double_spaced_lines_stay_in_their_paragraph(tmp_path):
    """Transcripts and manuscripts are double spaced; each line must not become a paragraph."""
    first = [
        "The witness described the night of the flood in some detail and",
        "said that the water had reached the second step of the church by",
        "midnight, which nobody in the village had ever seen before then.",
        "Then the lights went out.",
    ]
    second = ["Asked about the warnings, she said there had been none at all."]
    stream = text_page_stream(first, leading=27.5)
    stream += b"\n" + text_page_stream(second, x=108, top=720 - 27.5 * 5, leading=27.5)
    doc = extract(write_pdf(tmp_path / "transcript.pdf", [stream]))
    assert doc.text == "\n".join(first) + "\n\n" + second[0]


# --- right-to-left scripts, presentation forms, unmapped glyphs -------------------------

FIXTURES = Path(__file__).parent.parent / "fixtures" / "pdfs"


def test_right_to_left_lines_are_read_in_logical_order_with_their_digits():
    """Arabic, Persian and Hebrew lines (LibreOffice draws each direction run apart, in
    visual order) come out as they were typed: one paragraph each, digits in place."""
    from tests.fixtures.pdf_texts import RTL_LINES

    doc = extract(FIXTURES / "rtl.pdf")
    paragraphs = [flat(p) for p in doc.text.split("\n\n")]
    # LibreOffice draws no glyph for a zero-width non-joiner, so the PDF has a gap there.
    assert paragraphs == [text.replace("\u200c", " ") for _, text in RTL_LINES]
    assert "اندلعت الحرب في عام 2014 وقتل 120 شخصا." in doc.text
    assert "قُتِلوا" in doc.text  # each vowel mark on its own letter
    assert "الحرب" in doc.text and "برحلا" not in doc.text
    assert doc.warnings == []


def test_arabic_presentation_forms_are_read_as_letters():
    from tests.fixtures.pdf_texts import PRESENTATION_READ

    doc = extract(FIXTURES / "presentation-forms.pdf")
    assert doc.text == PRESENTATION_READ
    assert "الحرب" in doc.text
    assert not any("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe" for ch in doc.text)


def test_presentation_form_rule():
    from desktop.core.importers.pdf_layout import fold_presentation_forms

    assert fold_presentation_forms("\ufe8d\ufedf\ufea4\ufeae\ufe8f") == "الحرب"
    assert fold_presentation_forms("\ufefb") == "لا"  # lam-alef ligature: two letters
    assert fold_presentation_forms("\ufec7\ufe76") == "ظ\u064e"  # isolated fatha: no space
    assert fold_presentation_forms("ﬁ \ufeff x²") == "ﬁ \ufeff x²"  # other blocks untouched


def test_glyphs_mapped_to_no_letter_are_left_out_with_a_warning():
    from tests.fixtures.pdf_texts import UNMAPPED_PAGES

    doc = extract(FIXTURES / "unmapped-glyphs.pdf")
    assert "(cid:" not in doc.text
    assert page_texts(doc) == [readable for readable, _ in UNMAPPED_PAGES]
    count = sum(len(cids) for _, cids in UNMAPPED_PAGES)
    assert doc.warnings == [
        f"{count} characters on pages 1, 2 could not be read as text "
        "(the PDF maps no letters to their glyphs) and are left out"
    ]


def test_pdf_whose_text_is_only_unmapped_glyphs_is_refused_with_the_reason(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=FIXTURES / "unmapped-glyphs.pdf")
    for page in writer.pages:  # keep only the font without a Unicode map
        content = page.get_contents()
        data = content.get_data().split(b"\n")
        content.set_data(b"\n".join(line for line in data if b"/F1" not in line))
        page.replace_contents(content)
    path = tmp_path / "glyphs-only.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ImportFailure) as info:
        extract(path)
    message = str(info.value)
    assert "cannot be read" in message and "8 characters on pages 1, 2" in message
    assert "OCR" not in message


def test_right_to_left_pdf_in_page_workers_gives_the_same_text(monkeypatch):
    serial = pdf_importer.extract_pdf(FIXTURES / "rtl.pdf", parallel=False)
    monkeypatch.setattr(pdf_importer, "PARALLEL_MIN_PAGES", 1)
    assert extract(FIXTURES / "unmapped-glyphs.pdf").warnings  # counts cross processes
    assert extract(FIXTURES / "rtl.pdf") == serial
