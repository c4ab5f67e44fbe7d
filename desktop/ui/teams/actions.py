"""Working as a team in the window: File > Merge coders' files… (a dry run to confirm, then the
merge in a worker), File > Copy for a coder…, and Coders > Blind coding (a coder in
blind mode sees only their own codings; the other filters are disabled and say why, and
the status bar shows a "Blind coding" badge beside the coder while it is on)."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel

from desktop.core import wording
from desktop.services.errors import ServiceError
from desktop.services.teams import coders, teams
from desktop.services.teams.merge import MergeProgress, MergeReport, merge_projects
from desktop.ui.long_tasks import ReportDialog, ask_to_go, busy
from desktop.ui.workbench.context import ALL, CHOSEN, MINE
from desktop.ui.workers import set_steps

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

PROJECT_FILTER = "Tessera projects (*.tessera);;All files (*)"
ADD_CODES = "Add codes that this project lacks"
OPTIONS = {
    "add_codes": ADD_CODES,
    "rename_clashing": "Add coders whose name is taken here under a new name",
}


def blind_badge() -> QLabel:
    """The status bar's "Blind coding" badge (hidden while blind mode is off)."""
    badge = QLabel("Blind coding")
    badge.setObjectName("blindBadge")
    badge.hide()
    return badge


# -- blind mode ---------------------------------------------------------------------------


def attach(w: Workbench) -> None:
    """Follow the just-opened project's blind mode."""
    ctx = w.ctx
    ctx.filter_changed.connect(lambda: sync_blind(w))
    sync_blind(w)


def blind_limits(w: Workbench) -> bool:
    """Whether blind mode hides other coders' codings from the active coder."""
    return w.ctx is not None and w.ctx.blind_ids is not None


def sync_blind(w: Workbench) -> None:
    """The Blind coding tick, and the view choices blind mode allows; a view showing
    other coders falls back to 'my codings' while blind mode hides them."""
    ctx = w.ctx
    if ctx is None:
        return
    on = teams.is_blind(ctx.project)
    w.actions.blind.blockSignals(True)
    w.actions.blind.setChecked(on)
    w.actions.blind.blockSignals(False)
    limited = blind_limits(w)
    rev = teams.reviewer(ctx.project)
    why = (
        f"Blind coding is on: only the reviewer ({rev}) sees other coders' codings"
        if rev
        else "Blind coding is on: each coder sees only their own codings"
    )
    for mode in (ALL, CHOSEN):
        action = w.actions.view[mode]
        action.setEnabled(not limited)
        action.setToolTip(why if limited else "")
    w.blind_badge.setVisible(on)
    w.blind_badge.setToolTip(
        "Blind coding is on: you see only your own codings"
        + (f" until the reviewer ({rev}) lifts it" if rev else "")
        if limited
        else "Blind coding is on: each coder sees only their own codings; as the reviewer "
        "you see everyone's"
    )
    _hide_counts(w, limited)
    if limited and ctx.view_mode != MINE:
        ctx.set_view(MINE)  # emits filter_changed again, which lands here with MINE


COUNT_COLUMNS = (("codebook_panel", 1), ("documents_panel", 3))  # their "Codings" columns
HIDDEN_BY_BLIND = "countsHiddenByBlindMode"  # a view property: hidden here, shown here


def _hide_counts(w: Workbench, hide: bool) -> None:
    """The codebook's and the documents' coding counts add up every coder's codings:
    hidden while blind mode hides the other coders (shown again only if hidden here)."""
    for panel, column in COUNT_COLUMNS:
        view = getattr(w, panel).view
        if bool(view.property(HIDDEN_BY_BLIND)) != hide:
            view.setColumnHidden(column, hide)
            view.setProperty(HIDDEN_BY_BLIND, hide)


def set_blind(w: Workbench, on: bool) -> None:
    ctx = w.ctx
    try:
        teams.set_blind(ctx.project, on, by=ctx.project.actor)
    except ServiceError as exc:
        w.prompts.error(f"Blind coding stays {'off' if on else 'on'}: {exc}")
    ctx.refresh_blind()
    ctx.filter_changed.emit()
    if teams.is_blind(ctx.project) == on:
        rev = teams.reviewer(ctx.project)
        w.show_message(
            f"Blind coding on: each coder sees only their own codings ({rev} is the reviewer)"
            if on
            else "Blind coding off: coders can show each other's codings",
            8000,
        )


# -- merge ----------------------------------------------------------------------------------


def choose_sources(w: Workbench) -> list[str]:
    """Which coders' files to merge (tests patch this)."""
    files, _ = QFileDialog.getOpenFileNames(w, "Merge coders' files", "", PROJECT_FILTER)
    return files


def confirm_merge(w: Workbench, dialog: ReportDialog) -> bool | None:
    """Show the dry run; None: cancelled, else whether to add missing codes (tests patch)."""
    return ask_to_go(dialog)


def _lines(report: MergeReport) -> list[str]:
    lines: list[str] = []
    for sr in report.sources:
        lines.extend(sr.describe())
    return lines


def _merge_progress(dialog, p) -> None:
    if not isinstance(p, MergeProgress):
        return
    stage = {"reading": "reading", "checking": "checking", "codings": "codings", "done": "done"}
    text = f"{p.source} ({p.source_index + 1} of {p.sources_total}): {stage.get(p.stage, p.stage)}"
    if p.total:
        text += f" {p.done:,} of {p.total:,}"
    set_steps(dialog, p.source_index * 100 + (p.done * 100 // p.total if p.total else 0),
              p.sources_total * 100, text)  # fmt: skip


def merge_files(w: Workbench, paths: list[str] | None = None) -> None:
    if busy(w):
        return
    paths = paths if paths is not None else choose_sources(w)
    if not paths:
        return
    project = w.project

    def dry(progress, cancelled):
        def run(**options) -> MergeReport:
            return merge_projects(
                project, paths, dry_run=True, progress=progress, cancelled=cancelled, **options
            )

        plain = run()
        offered = _offered(plain)
        reports = {tuple(False for _ in offered): plain}
        for state in product((False, True), repeat=len(offered)):
            if any(state) and not plain.cancelled:
                reports[state] = run(**{o: on for o, on in zip(offered, state, strict=True)})
        return offered, reports

    def checked(result) -> None:
        offered, reports = result
        if any(r.cancelled for r in reports.values()):
            w.show_message("Merge cancelled: nothing was merged", 6000)
            return
        plain = reports[tuple(False for _ in offered)]
        n = len(paths)
        intro = (
            f"What merging {wording.count(n, 'file')} into <b>{project.name}</b> would do. "
            "Nothing has been changed yet; merging never removes anything."
        )
        dialog = ReportDialog(
            w, "Merge coders' files", intro,
            {state: _lines(r) for state, r in reports.items()},
            go_text="Merge",
            can_go={state: any(sr.ok for sr in r.sources) for state, r in reports.items()},
            options=[(OPTIONS[o], _hint(o, plain)) for o in offered],
        )  # fmt: skip
        answer = confirm_merge(w, dialog)
        dialog.deleteLater()
        if answer is None or not dialog.can_go.get(answer, False):
            return
        _merge(w, project, paths, {o: on for o, on in zip(offered, answer, strict=True)})

    w.run_long(
        "Merge coders' files", "Checking the files…", dry,
             done=checked, progressed=_merge_progress)  # fmt: skip


def _offered(plain: MergeReport) -> list[str]:
    """The merge options worth offering after a plain dry run."""
    offered = []
    if any(sr.codes_missing or sr.fields_missing for sr in plain.sources):
        offered.append("add_codes")
    if any(sr.coder_clashes for sr in plain.sources):
        offered.append("rename_clashing")
    return offered


def _hint(option: str, plain: MergeReport) -> str:
    if option == "add_codes":
        missing = sorted({c for sr in plain.sources for c in sr.codes_missing})
        listed = f"{', '.join(missing[:8])}{' …' if len(missing) > 8 else ''}"
        return (
            f"Without it, a file with codes or fields this project lacks is refused "
            f"({wording.count(len(missing), 'code')}: {listed})."
        )
    clashes = sorted({c for sr in plain.sources for c in sr.coder_clashes})
    return (
        f"{', '.join(clashes)}: a different person of the same name is a coder here. With it, "
        "they come in as “name (2)”; without it, their file is refused."
    )


def _merge(w: Workbench, project, paths: list[str], options: dict[str, bool]) -> None:
    def work(progress, cancelled):
        return merge_projects(project, paths, progress=progress, cancelled=cancelled, **options)

    def done(report: MergeReport) -> None:
        refresh_all(w)
        merged = [s for s in report.sources if s.status == "merged"]
        parts = [
            f"Merged {len(merged)} of {wording.count(len(report.sources), 'file')}: "
            f"{wording.count(report.codings_added, 'coding')} added."
        ]
        if report.cancelled:
            parts.append("Cancelled: the file in progress and those after it were not merged.")
        refused = [s for s in report.sources if not s.ok]
        if refused and not report.cancelled:
            parts.append(f"{len(refused)} not merged:")
            parts += [f"• {line}" for s in refused for line in s.describe()[:1]]
        w.prompts.summary("Merge coders' files", "\n".join(parts), "\n".join(_lines(report)))
        w.show_message(f"Merged: {wording.count(report.codings_added, 'coding')} added", 8000)

    w.run_long("Merge coders' files", "Merging…", work, done=done, progressed=_merge_progress)


def refresh_all(w: Workbench) -> None:
    """Reload what a merge or an import may have changed: documents, codes, coders, codings."""
    ctx = w.ctx
    w.refresh_coders()
    ctx.refresh_blind()
    # through the context's signals, so the inspector and an open frequencies window follow
    ctx.documents_changed.emit()
    ctx.codebook_changed.emit()
    ctx.codings_changed.emit(0)
    ctx.filter_changed.emit()  # coders, blind mode, the open document's codings
    if w.document_id is None and w.documents_panel.model.rowCount():
        w.documents_panel.select(w.documents_panel.model.document(0).id)


# -- a copy for a coder ------------------------------------------------------------------------


def ask_coder_name(w: Workbench, known: list[str]) -> str | None:
    """Whom the copy is for (tests patch this)."""
    name, ok = QInputDialog.getItem(
        w, "Copy for a coder",
        "The coder who will code in the copy (a new name adds them to this project):",
        known, -1 if not known else 0, True,
    )  # fmt: skip
    return name.strip() if ok and name.strip() else None


def copy_for_coder(w: Workbench) -> None:
    if busy(w):
        return
    project = w.project
    known = [c.name for c in coders.list_coders(project)]
    name = ask_coder_name(w, known)
    if not name:
        return
    stem = Path(project.path).stem
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip()
    out = w.prompts.save_path(
        "Copy for a coder", str(Path(project.path).with_name(f"{stem} - {safe}.tessera")),
        PROJECT_FILTER,
    )  # fmt: skip
    if not out:
        return
    if not out.endswith(".tessera"):
        out += ".tessera"

    def done(report: teams.CopyReport) -> None:
        w.refresh_coders()
        blind = " Blind coding is on in the copy." if report.blind else ""
        new = f" {report.coder} was added to this project's coders." if report.coder_added else ""
        w.prompts.summary(
            "Copy for a coder",
            f"Made {Path(report.path).name} for {report.coder}: {wording.count(report.documents, 'document')}, "
            f"{wording.count(report.codes, 'code')}, {report.own_codings} of their own codings.{blind}{new}\n"
            "When they have coded, bring their work back with File > Merge coders' files…",
            str(report.path),
        )

    def failed(reason: str, _cancelled: bool) -> None:
        w.prompts.error(f"No copy was made: {reason}")

    w.run_long(
        "Copy for a coder", f"Making a copy for {name}…",
        lambda progress, cancelled: teams.copy_for_coder(project, name, out),
        done=done, failed=failed, cancellable=False,
    )  # fmt: skip
