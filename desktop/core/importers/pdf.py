"""PDF files: text in reading order per page, page boundaries, the document info.

Long PDFs are shared between two worker processes, every other page each (layout
analysis is CPU-bound pure Python, so threads would not help); results are merged in
page order. Workers are *spawned*, not forked: the caller may be a Qt application
with threads running, and forking a threaded process can deadlock. Each worker opens
the file itself and reports every page it finishes through a queue, which is where
progress comes from; cancelling sets an event the workers check between pages.

The document's text is the pages' texts joined by a blank line, which belongs to no
page; a page without text gets an empty range and no blank line."""

from __future__ import annotations

import logging
import os
import queue as queue_module
import re
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from desktop.core.importers.base import (
    MAX_PDF_FILE_BYTES,
    Cancelled,
    Extracted,
    ImportCancelled,
    ImportFailure,
    Progress,
    check_cancelled,
    check_size,
    clean_metadata,
    report,
)
from desktop.core.importers.pdf_guard import (
    PdfLimitExceeded,
    bounded_layout,
    install,
    start_document,
    unreadable_glyphs,
)
from desktop.core.importers.pdf_layout import LAPARAMS, page_text
from desktop.core.text import normalise

ENCRYPTED = "the PDF is password-protected (encrypted); remove the password and import it again"
DAMAGED = "the PDF is damaged or incomplete"
NO_TEXT_LAYER = (
    "the PDF has no text layer (its pages are images, e.g. a scan); "
    "run text recognition (OCR) on it first, then import the result"
)
INCOMPLETE = (
    "the PDF seems incomplete (its end is missing, e.g. an interrupted download); "
    "check that every page came through"
)
WORKER_DIED = (
    "the PDF could not be read: the process reading its pages stopped unexpectedly "
    "(the file may be damaged, or the computer ran out of memory)"
)
NO_LETTERS = "the PDF's text cannot be read (its fonts map no letters to their glyphs)"
PAGE_SEPARATOR = "\n\n"

# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 32
WORKERS = 2

# text, page has characters, error, glyphs the PDF maps to no character
PageResult = tuple[str, bool, str | None, int]

log = logging.getLogger(__name__)

_worker_queue: Any = None
_worker_cancel: Any = None


def _open(path: Path, pages: list[int] | None = None):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    install()
    start_document()
    quiet = logging.getLogger("pdfminer")
    if quiet.level == logging.NOTSET:
        # pdfminer warns about every font quirk it works around; a researcher can do
        # nothing with "Could not get FontBBox from font descriptor".
        quiet.setLevel(logging.ERROR)
    try:
        return pdfplumber.open(path, laparams=LAPARAMS, pages=pages)
    except PdfLimitExceeded as exc:
        raise ImportFailure(refused(exc)) from None
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PdfLimitExceeded):
            raise ImportFailure(refused(cause)) from None
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise ImportFailure(ENCRYPTED) from None
        raise ImportFailure(DAMAGED) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise ImportFailure(DAMAGED) from None


def _close(pdf) -> None:
    """Close a document; on a damaged one, closing re-reads the broken page tree."""
    try:
        pdf.close()
    except Exception:  # already failing or done: nothing more to tell the user
        log.debug("closing %s failed", pdf, exc_info=True)


def refused(exc: PdfLimitExceeded) -> str:
    return f"the PDF is refused: {exc}"


def _read_page(page) -> PageResult:
    """A page's text; a page past a limit refuses the whole PDF (ImportFailure)."""
    try:
        bounded_layout(page)
        text, has_chars = page_text(page)
        return text, has_chars, None, unreadable_glyphs(page)
    except PdfLimitExceeded as exc:
        raise ImportFailure(refused(exc)) from None
    except Exception as exc:  # pdfminer raises many kinds on a broken page stream
        log.debug("page %s failed: %r", page.page_number, exc)
        return "", False, type(exc).__name__, 0
    finally:
        page.close()


def _init_worker(progress_queue, cancel_event) -> None:
    global _worker_queue, _worker_cancel
    _worker_queue, _worker_cancel = progress_queue, cancel_event


def _extract_pages(path: str, numbers: list[int]) -> list[PageResult] | None:
    """Worker: the pages with these 0-based numbers; None if the import was cancelled."""
    pdf = _open(Path(path), pages=[n + 1 for n in numbers])
    results: list[PageResult] = []
    try:
        for page in pdf.pages:
            if _worker_cancel is not None and _worker_cancel.is_set():
                return None
            results.append(_read_page(page))
            if _worker_queue is not None:
                _worker_queue.put(1)
    finally:
        _close(pdf)
    return results


def _shares(n_pages: int) -> list[list[int]]:
    """Each worker's pages: every WORKERS-th page, so heavy stretches (a run of tables,
    a dense appendix) are split evenly. One share per worker, because every share
    opens the file and parses its fonts again, which costs as much as a few pages."""
    return [list(range(w, n_pages, WORKERS)) for w in range(WORKERS)]


def _can_spawn() -> bool:
    """Spawned workers re-import the main script; one read from stdin cannot be. A
    bundled app starts its workers from its own executable (packaging/launch.py)."""
    if getattr(sys, "frozen", False):
        return True
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


class _WorkersUnavailable(Exception):
    """Worker processes could not start (e.g. the main module cannot be re-imported)."""


def _stop_if_cancelled(cancelled: Cancelled | None, cancel_event) -> None:
    if cancelled is not None and cancelled():
        cancel_event.set()
        raise ImportCancelled("the import was cancelled")


def _extract_parallel(
    path: Path, n_pages: int, progress: Progress | None, cancelled: Cancelled | None
) -> list[PageResult]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    progress_queue = ctx.Queue()
    cancel_event = ctx.Event()
    shares = _shares(n_pages)
    done = 0
    results: dict[int, list[PageResult]] = {}
    pool = ProcessPoolExecutor(
        max_workers=WORKERS,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(progress_queue, cancel_event),
    )
    try:
        futures: dict[Future, int] = {
            pool.submit(_extract_pages, str(path), share): i for i, share in enumerate(shares)
        }
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            # Cancel is looked at after each page's report, not once per batch of reports:
            # small pages can all be read within one wait.
            while True:
                try:
                    done += progress_queue.get_nowait()
                except queue_module.Empty:
                    break
                report(progress, done, n_pages)
                _stop_if_cancelled(cancelled, cancel_event)
            _stop_if_cancelled(cancelled, cancel_event)
            for fut in finished:
                share = fut.result()  # re-raises ImportFailure from the worker
                if share is None:
                    raise ImportCancelled("the import was cancelled")
                results[futures[fut]] = share
    except (BrokenProcessPool, BrokenPipeError, EOFError):
        if done == 0:
            raise _WorkersUnavailable from None
        # A worker died mid-way (a pathological page, or killed for memory).
        raise ImportFailure(WORKER_DIED) from None
    finally:
        cancel_event.set()
        pool.shutdown(wait=True, cancel_futures=True)
        progress_queue.close()
        progress_queue.join_thread()
    if done < n_pages:
        report(progress, n_pages, n_pages)
    pages: list[PageResult] = [("", False, None, 0)] * n_pages
    for i, share in enumerate(shares):
        for number, result in zip(share, results[i], strict=True):
            pages[number] = result
    return pages


def _extract_serial(
    pdf, n_pages: int, progress: Progress | None, cancelled: Cancelled | None
) -> list[PageResult]:
    results: list[PageResult] = []
    for i, page in enumerate(pdf.pages):
        check_cancelled(cancelled)
        results.append(_read_page(page))
        report(progress, i + 1, n_pages)
    return results


_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: object) -> str | None:
    """'D:20240103120000Z' -> '2024-01-03' (as much of the date as the PDF gives)."""
    if not isinstance(value, str):
        return None
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


_PRODUCER_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.I)
_FILE_NAME = re.compile(
    r"^[\w\-. ()]+\.(?:exe|docx?|pdf|tex|dvi|ps|indd|rtf|odt|txt|qxd|pages)$", re.I
)


def pdf_title(value: object) -> str | None:
    """The Title entry, unless it is only the name of the file the PDF was made from
    ('Microsoft Word - draft3.docx', '10811.exe'): that is no title to show a user."""
    if not isinstance(value, str):
        return None
    title = _PRODUCER_PREFIX.sub("", value.strip())
    return None if _FILE_NAME.match(title) else title


def _metadata(info: dict[str, Any]) -> dict[str, str]:
    author = info.get("Author")
    return clean_metadata(
        {
            "title": pdf_title(info.get("Title")),
            "author": author if isinstance(author, str) else None,
            "date": pdf_date(info.get("CreationDate")),
        }
    )


def extract_pdf(
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    parallel: bool = True,
) -> Extracted:
    check_size(path, MAX_PDF_FILE_BYTES, "a PDF")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise ImportFailure("the file is not a PDF (it does not start like one)")
    incomplete = b"%%EOF" not in tail
    check_cancelled(cancelled)
    pdf = _open(path)
    try:
        try:
            n_pages = len(pdf.pages)
        except PdfLimitExceeded as exc:
            raise ImportFailure(refused(exc)) from None
        except Exception:
            raise ImportFailure(DAMAGED) from None
        if n_pages == 0:
            raise ImportFailure(DAMAGED)
        metadata = _metadata(pdf.metadata)
        results = None
        if parallel and n_pages >= PARALLEL_MIN_PAGES and _can_spawn():
            try:
                results = _extract_parallel(path, n_pages, progress, cancelled)
            except _WorkersUnavailable:
                log.warning("PDF page workers could not start; reading %s in one process", path)
        if results is None:
            results = _extract_serial(pdf, n_pages, progress, cancelled)
    finally:
        if pdf is not None:
            _close(pdf)
    extracted = _assemble(results, metadata)
    if incomplete:
        extracted.warnings.insert(0, INCOMPLETE)
    return extracted


def _assemble(results: list[PageResult], metadata: dict[str, str]) -> Extracted:
    warnings: list[str] = []
    failed = [i + 1 for i, (_, _, err, _) in enumerate(results) if err]
    if failed and len(failed) == len(results):
        raise ImportFailure(DAMAGED)
    if not any(has_chars for _, has_chars, _, _ in results):
        raise ImportFailure(NO_TEXT_LAYER)
    if failed:
        warnings.append(f"{_pages_phrase(failed)} could not be read (damaged) and left empty")
    blank = [i + 1 for i, (text, _, err, _) in enumerate(results) if not err and not text.strip()]
    if blank:
        verb = "has" if len(blank) == 1 else "have"
        warnings.append(f"{_pages_phrase(blank)} {verb} no text (only images, or empty)")

    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    pos = 0
    for text, _, _, _ in results:
        page = normalise(text).strip("\n")
        if page and pos:  # blank pages get an empty range and no separator
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        parts.append(page)
        pages.append((pos, pos + len(page)))
        pos += len(page)
    full = "".join(parts)
    unreadable = _unreadable_warning(results)
    if not full.strip():
        raise ImportFailure(f"{NO_LETTERS}: {unreadable}" if unreadable else NO_TEXT_LAYER)
    if unreadable:
        warnings.append(unreadable)
    return Extracted(text=full, kind="pdf", metadata=metadata, pages=pages, warnings=warnings)


def _unreadable_warning(results: list[PageResult]) -> str | None:
    """Glyphs the PDF maps to no character are left out of the text; say how many, and
    on which pages, so the reader knows the text there is incomplete."""
    pages = [i + 1 for i, result in enumerate(results) if result[3]]
    if not pages:
        return None
    count = sum(result[3] for result in results)
    what = "1 character" if count == 1 else f"{count:,} characters"
    return (
        f"{what} on {_pages_phrase(pages)} could not be read as text "
        "(the PDF maps no letters to their glyphs) and are left out"
    )


def _pages_phrase(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"page {shown}" if len(numbers) == 1 else f"pages {shown}{more}"
