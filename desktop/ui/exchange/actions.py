"""Exchange in the window: File > Import > REFI-QDA project (.qdpx)… (a dry run shown for
confirmation, then the import in a worker), File > Export > REFI-QDA project (.qdpx)…,
and in the Codebook menu: Import codebook… (dry run, then an undoable import) and the
codebook's exports (CSV, REFI-QDA .qdc, printable HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from desktop.core import wording
from desktop.services.codebook import exchange as codebook_exchange
from desktop.services.codebook.exchange import CodebookImportRefused, CodebookImportReport
from desktop.services.exchange import exchange, refi_export
from desktop.services.exchange import refi_import as refi_exchange
from desktop.services.exchange.refi_import import RefiImportRefused, RefiImportReport
from desktop.ui.long_tasks import ReportDialog, ask_to_go, busy
from desktop.ui.teams.actions import ADD_CODES, refresh_all
from desktop.ui.workbench.context import Command, Context
from desktop.ui.workers import set_steps

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

QDPX_FILTER = "REFI-QDA projects (*.qdpx);;All files (*)"
CODEBOOK_FILTER = "Codebooks (*.csv *.qdc *.qde *.qdpx);;All files (*)"
CODEBOOK_FORMATS = {
    "csv": ("CSV", "CSV files (*.csv);;All files (*)"),
    "qdc": ("REFI-QDA (.qdc)", "REFI-QDA codebooks (*.qdc);;All files (*)"),
    "html": ("printable HTML", "Web pages (*.html);;All files (*)"),
    "taguette": ("CSV for Taguette", "CSV files (*.csv);;All files (*)"),
}
SHOWN = 20


def choose_file(w: Workbench, title: str, file_filter: str) -> str | None:
    """A file to read (tests patch this)."""
    path, _ = QFileDialog.getOpenFileName(w, title, "", file_filter)
    return path or None


def confirm(w: Workbench, dialog: ReportDialog) -> bool | None:
    """Show a dry run; None: cancelled, else whether its option is ticked (tests patch)."""
    return ask_to_go(dialog)


def _listed(label: str, items: list[str]) -> list[str]:
    out = [f"{label} {item}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        out.append(f"… and {len(items) - SHOWN:,} more")
    return out


# -- REFI-QDA project ---------------------------------------------------------------------------


def describe_refi(report: RefiImportReport, *, dry_run: bool) -> list[str]:
    origin = f" (written by {report.origin})" if report.origin else ""
    verb = "would import" if dry_run else "imported"
    lines = [
        f"{verb} {report.codings_imported:,} of {wording.count(report.codings_in_file, 'coding')} from "
        f"{report.path.name}{origin}; {report.codings_duplicate:,} already in the project, "
        f"{len(report.codings_skipped):,} skipped{report.skipped_selections()}",
        "",
    ]
    lines += _listed("added document", report.documents_added)
    lines += _listed(
        "same document",
        [f"{file!r} is {mine!r} in the project" for file, mine in report.documents_matched],
    )
    lines += _listed("added code", report.codes_added)
    if report.codes_existing:
        lines.append(
            f"{wording.count(len(report.codes_existing), 'code')} already in the codebook, left alone"
        )
    lines += report.study_lines()
    lines += _listed("added coder", report.coders_added)
    lines += _listed("same coder", report.coders_matched)
    lines += _listed("skipped coding:", report.codings_skipped)
    lines += _listed("warning:", report.warnings)
    return lines


def import_qdpx(w: Workbench, path: str | None = None) -> None:
    if busy(w):
        return
    path = path or choose_file(w, "Import a REFI-QDA project", QDPX_FILTER)
    if not path:
        return
    project = w.project

    def progress_of(progress):
        return lambda done, total: progress((done, total))

    def dry(progress, cancelled):
        try:
            plain = refi_exchange.import_qdpx(
                project, path, dry_run=True, progress=progress_of(progress), cancelled=cancelled
            )
            return plain, None, ""
        except RefiImportRefused as exc:
            if not exc.report.missing_codes:
                raise
            refused = str(exc)
        adding = refi_exchange.import_qdpx(
            project, path, add_codes=True, dry_run=True, progress=progress_of(progress),
            cancelled=cancelled,
        )  # fmt: skip
        return None, adding, refused

    def checked(result) -> None:
        plain, adding, refused = result
        name = Path(path).name
        intro = (
            f"What importing <b>{name}</b> into <b>{project.name}</b> would bring. Nothing has "
            "been stored yet; the import is stored in one step, or not at all."
        )
        if adding is None:
            dialog = ReportDialog(
                w, "Import REFI-QDA project", intro, {(): describe_refi(plain, dry_run=True)},
                go_text="Import",
            )  # fmt: skip
        else:
            missing = adding.missing_codes
            hint = (
                f"The file has {wording.count(len(missing), 'code')} this project lacks; without them it "
                "cannot be imported."
            )
            dialog = ReportDialog(
                w, "Import REFI-QDA project", intro,
                {(False,): [refused], (True,): describe_refi(adding, dry_run=True)},
                go_text="Import", can_go={(False,): False}, options=[(ADD_CODES, hint)],
            )  # fmt: skip
        answer = confirm(w, dialog)
        dialog.deleteLater()
        if answer is None or (adding is not None and not any(answer)):
            return
        _import_qdpx(w, project, path, add_codes=adding is not None)

    def failed(reason: str, cancelled: bool) -> None:
        if cancelled:
            w.show_message("Import cancelled: nothing was imported", 8000)
            return
        w.prompts.error(f"{Path(path).name} cannot be imported: {reason}")

    w.run_long(
        "Import REFI-QDA project", f"Reading {Path(path).name}…", dry,
        done=checked, failed=failed, progressed=_steps("Checking"),
    )  # fmt: skip


def _steps(verb: str):
    def show(dialog, value) -> None:
        done, total = value
        set_steps(dialog, done, total, f"{verb}… {done:,} of {total:,}")

    return show


def _import_qdpx(w: Workbench, project, path: str, *, add_codes: bool) -> None:
    def work(progress, cancelled):
        return refi_exchange.import_qdpx(
            project, path, add_codes=add_codes,
            progress=lambda done, total: progress((done, total)), cancelled=cancelled,
        )  # fmt: skip

    def done(report: RefiImportReport) -> None:
        refresh_all(w)
        lines = describe_refi(report, dry_run=False)
        w.prompts.summary(
            "Import REFI-QDA project",
            f"{lines[0][0].upper()}{lines[0][1:]}.\n{wording.count(len(report.documents_added), 'document')}, "
            f"{wording.count(len(report.codes_added), 'code')} and {wording.count(len(report.coders_added), 'coder')} added.",
            "\n".join(lines[2:]),
        )

    def failed(reason: str, cancelled: bool) -> None:
        if cancelled:
            w.show_message("Import cancelled: nothing was imported", 8000)
            return
        w.prompts.error(f"Nothing was imported: {reason}")

    w.run_long(
        "Import REFI-QDA project", "Importing…", work,
        done=done, failed=failed, progressed=_steps("Importing"),
    )  # fmt: skip


def export_qdpx(w: Workbench) -> None:
    if busy(w):
        return
    project = w.project
    stem = Path(project.path).stem
    out = w.prompts.save_path("Export a REFI-QDA project", f"{stem}.qdpx", QDPX_FILTER)
    if not out:
        return
    if not out.lower().endswith(".qdpx"):
        out += ".qdpx"

    def work(progress, cancelled):
        return refi_export.export_qdpx(
            project, out, progress=lambda done, total: progress((done, total)),
            cancelled=cancelled,
        )  # fmt: skip

    def done(report) -> None:
        who = ", ".join(report.coders) or "no coder"
        w.show_message(
            f"Exported {wording.count(report.documents, 'document')}, {wording.count(report.codes, 'code')} and "
            f"{wording.count(report.codings, 'coding')} by {who} to {out}",
            10_000,
        )
        w.export_done.emit(out)

    def failed(reason: str, cancelled: bool) -> None:
        if cancelled:
            w.show_message("Export cancelled: nothing was written", 8000)
        else:
            w.prompts.error(f"The export failed: {reason}")
        w.export_done.emit("")

    w.run_long(
        "Export REFI-QDA project", "Exporting…", work,
        done=done, failed=failed, progressed=_steps("Exporting"),
    )  # fmt: skip


# -- codebook ----------------------------------------------------------------------------------


def describe_codebook(report: CodebookImportReport, *, dry_run: bool) -> list[str]:
    origin = f" (written by {report.origin})" if report.origin else ""
    verb = "would import" if dry_run else "imported"
    lines = [
        f"{verb} {Path(report.source).name}{origin}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged",
        "",
    ]
    lines += _listed("added", report.added)
    lines += _listed("updated", [f"{p}: {', '.join(what)}" for p, what in report.updated])
    lines += _listed("left alone", report.left_alone)
    lines += _listed("warning:", report.warnings)
    return lines


class ImportCodebook(Command):
    """Merge a codebook file into the project; undo takes back what it added and sets
    the codes it updated back as they were."""

    def __init__(self, ctx: Context, path: str, strict: bool) -> None:
        super().__init__(ctx, f"Import codebook {Path(path).name}")
        self.path, self.strict = path, strict
        self.report: CodebookImportReport | None = None

    def do(self) -> None:
        self.report = codebook_exchange.import_codebook(
            self.ctx.project, self.path, strict=self.strict
        )

    def undo_(self) -> None:
        assert self.report is not None
        codebook_exchange.undo_import(self.ctx.project, self.report)

    def announce(self) -> None:
        self.ctx.codebook_changed.emit()
        self.ctx.codings_changed.emit(0)


def import_codebook(w: Workbench, path: str | None = None) -> None:
    if busy(w):
        return
    path = path or choose_file(w, "Import a codebook", CODEBOOK_FILTER)
    if not path:
        return
    project = w.project

    def dry(progress, cancelled):
        try:
            report = codebook_exchange.import_codebook(project, path, strict=True, dry_run=True)
            return report, True, []
        except CodebookImportRefused as strict_refusal:
            try:  # a REFI-QDA file the reader had to adjust: offer it as adjusted
                report = codebook_exchange.import_codebook(
                    project, path, strict=False, dry_run=True
                )
            except CodebookImportRefused:
                raise strict_refusal from None
            return report, False, strict_refusal.problems

    def checked(result) -> None:
        report, strict, problems = result
        name = Path(path).name
        intro = (
            f"What importing the codebook <b>{name}</b> would change. Codes are matched by "
            "path; nothing is removed, and Edit > Undo takes the import back."
        )
        if not strict:
            intro += (
                f"<br><br>The file had to be adjusted when read ({wording.count(len(problems), 'change')}, "
                "listed as warnings): import it as adjusted?"
            )
        nothing = not (report.added or report.updated)
        dialog = ReportDialog(
            w, "Import codebook", intro, {(): describe_codebook(report, dry_run=True)},
            go_text="Import", can_go={(): not nothing},
        )  # fmt: skip
        answer = confirm(w, dialog)
        dialog.deleteLater()
        if answer is None:
            return
        command = ImportCodebook(w.ctx, path, strict)
        if w.ctx.run(command) and command.report is not None:
            r = command.report
            w.show_message(
                f"Imported {name}: {wording.count(len(r.added), 'code')} added, {len(r.updated)} updated "
                "(Edit > Undo takes it back)",
                10_000,
            )

    def failed(reason: str, _cancelled: bool) -> None:
        w.prompts.error(f"The codebook {Path(path).name} cannot be imported: {reason}")

    w.run_long(
        "Import codebook", f"Reading {Path(path).name}…", dry,
        done=checked, failed=failed, cancellable=False,
    )  # fmt: skip


def export_codebook(w: Workbench, fmt: str) -> None:
    if busy(w):
        return
    project = w.project
    label, file_filter = CODEBOOK_FORMATS[fmt]
    stem = Path(project.path).stem
    ext = "csv" if fmt == "taguette" else fmt
    out = w.prompts.save_path(
        f"Export the codebook as {label}", f"{stem}-codebook.{ext}", file_filter
    )
    if not out:
        return
    if not out.lower().endswith(f".{ext}"):
        out += f".{ext}"

    def done(n) -> None:
        w.show_message(f"Exported {wording.count(n, 'code')} as {label} to {out}", 8000)
        w.export_done.emit(out)

    def failed(reason: str, _cancelled: bool) -> None:
        w.prompts.error(f"The codebook was not exported: {reason}")
        w.export_done.emit("")

    w.run_long(
        "Export codebook", "Exporting the codebook…",
        lambda progress, cancelled: exchange.export_codebook(project, out, fmt),
        done=done, failed=failed, cancellable=False,
    )  # fmt: skip
