"""Review > Agreement…: choose coders, documents, codes and the unit, and optionally a set
of mutually exclusive codes (also reported as one variable: alpha over the code set,
"(none)" a value or missing), which units count, and a bootstrap interval of alpha (N
samples, a seed); compute inter-coder agreement in a worker (progress per document, then
per bootstrap sample, Cancel), read the table per code and per document (n/a where a
coefficient is undefined, the reason as a tooltip) with the choices it rests on, and
save it as CSV or as the HTML report. The last choices are remembered per project in
the window's settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSettings, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.core.agreement.html_report import render_html, write_report
from desktop.services.codebook import codebook
from desktop.services.documents import documents
from desktop.services.review.agreement import project_agreement, project_bootstrap
from desktop.services.review.review import CONSENSUS
from desktop.services.teams import coders, teams
from desktop.ui import a11y, theme
from desktop.ui.dialogs import fit_window
from desktop.ui.look import swatch
from desktop.ui.review.agreement_options import AgreementOptions
from desktop.ui.review.models import ReportModel
from desktop.ui.workbench.host import project_key
from desktop.ui.workers import Task, TaskRunner

if TYPE_CHECKING:
    from desktop.core.agreement import Report
    from desktop.ui.workbench.host import Workbench

UNITS = (("char", "characters"), ("word", "words"), ("sentence", "sentences"))
ID_ROLE = Qt.ItemDataRole.UserRole + 1
EXCLUSIVE_KIND = "exclusive set"  # AgreementRow.kind of the row of the set
EXCLUSIVE_SUFFIX = "  (mutually exclusive)"
EXCLUSIVE_HELP = (
    "Mutually exclusive codes never apply to the same passage (e.g. Accusations, Demands "
    "and Denials). Besides a row per code, the report then has one row for the set as a "
    "single variable: a unit's value is the code each coder gave it (a combination if "
    "several, counted as a conflict), missing if none (or the value (none), with the box "
    "below), and alpha is computed over the code set. Tick two or more, or none."
)


class Cancelled(Exception):
    """Raised inside the worker when the user pressed Cancel."""


def open_agreement_dialog(w: Workbench) -> AgreementDialog | None:
    """Open (or raise) the dialog. In blind mode only the reviewer may compare coders."""
    active = w.ctx.coder.id if w.ctx and w.ctx.coder else None
    if teams.visible_coder_ids(w.project, active) is not None:
        rev = teams.reviewer(w.project)
        w.prompts.error(
            "Blind coding is on: only the reviewer"
            + (f" ({rev})" if rev else "")
            + " can compute agreement between coders."
        )
        return None
    existing = getattr(w, "agreement_dialog", None)
    if isinstance(existing, AgreementDialog) and existing.project is w.project:
        existing.show()
        existing.raise_()
        return existing
    dlg = AgreementDialog(
        w.project,
        w.runner,
        w,
        save_path=w.prompts.save_path,
        qsettings=w.settings,
        settings_group=f"projects/{project_key(w.project.path)}/agreement",
    )
    w.agreement_dialog = dlg
    dlg.show()
    return dlg


class AgreementDialog(QDialog):
    def __init__(
        self,
        project,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        save_path: Callable[[str, str, str], str | None] | None = None,
        qsettings: QSettings | None = None,
        settings_group: str = "",
    ) -> None:
        """``qsettings`` and ``settings_group``: where the last coders, unit and exclusive
        set of this project are kept (nothing is kept without them)."""
        super().__init__(parent)
        self.setObjectName("agreementDialog")
        self.setWindowTitle(f"Inter-coder agreement — {project.name}")
        self.project = project
        self.runner = runner
        self.save_path = save_path or _ask_save_path(self)
        self.task: Task | None = None
        self.report: Report | None = None
        self.settings: dict = {}  # the choices of the last computation
        self.qsettings = qsettings
        self.settings_group = settings_group
        self.last_error = ""
        self._build()
        self._fill()
        self._restore()
        fit_window(self, "agreement", QSize(1180, 720))

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.coder_list = _checklist()
        self.document_list = _checklist()
        self.code_list = _checklist()
        self.exclusive_list = _checklist()
        self.exclusive_list.setObjectName("agreementExclusive")
        self.exclusive_list.setToolTip(EXCLUSIVE_HELP)
        self.unit_box = QComboBox()
        for key, label in UNITS:
            self.unit_box.addItem(label, key)
        choices = QGridLayout()
        choices.setHorizontalSpacing(12)
        for col, (title, hint, widget) in enumerate(
            (
                ("Coders", "two or more", self.coder_list),
                ("Documents", "none ticked: every document they coded", self.document_list),
                ("Codes", "none ticked: every code they used", self.code_list),
                ("Mutually exclusive", "two or more: alpha over the set", self.exclusive_list),
            )
        ):
            label = QLabel(
                f"<b>{title}</b> <span style='color:{theme.current().muted}'>({hint})</span>"
            )
            label.setWordWrap(True)
            a11y.name(widget, f"{title} ({hint})")
            label.setToolTip(widget.toolTip())
            choices.addWidget(label, 0, col)
            choices.addWidget(widget, 1, col)
            choices.setColumnStretch(col, 1)
        self.options = AgreementOptions()
        choices.addWidget(self.options.none_as_value, 2, 3)
        self.exclusive_list.itemChanged.connect(self._exclusive_changed)
        run_row = QHBoxLayout()
        unit_label = QLabel("&Unit")
        unit_label.setBuddy(self.unit_box)
        run_row.addWidget(unit_label)
        run_row.addWidget(self.unit_box)
        run_row.addSpacing(12)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        run_row.addWidget(self.compute_button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)
        self.status = QLabel()
        self.status.setObjectName("agreementStatus")
        self.status.setWordWrap(True)
        run_row.addWidget(self.status, 2)

        self.model = AgreementReportModel(self)
        self.table = QTableView()
        self.table.setObjectName("agreementTable")
        self.table.setAccessibleName("Agreement by code")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.save_csv_button = QPushButton("Save CSV…")
        self.save_html_button = QPushButton("Save HTML report…")
        self.save_csv_button.clicked.connect(lambda: self.save("csv"))
        self.save_html_button.clicked.connect(lambda: self.save("html"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_csv_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_html_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)

        lay = QVBoxLayout(self)
        lay.addLayout(choices, 2)
        lay.addWidget(self.options)
        lay.addLayout(run_row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 5)
        note = QLabel(
            f"<span style='color:{theme.current().muted}'>Bold rows pool all documents. Units: units the row rests "
            "on; coded by any: units at least one coder coded (with character units most units "
            "are coded by nobody, and % agreement counts them as agreements). A mutually "
            "exclusive set is one variable whose value is the code given (hover its name). "
            "n/a: does not apply or is undefined (hover for why).</span>"
        )
        note.setWordWrap(True)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self._sync()

    def _fill(self) -> None:
        for c in coders.list_coders(self.project):
            item = QListWidgetItem(swatch(c.color, round_=True), f"{c.name}  ({c.codings:,})")
            item.setData(ID_ROLE, c.name)
            item.setCheckState(
                Qt.CheckState.Checked
                if c.codings and c.name != CONSENSUS
                else Qt.CheckState.Unchecked
            )
            self.coder_list.addItem(item)
        for d in documents.list_documents(self.project):
            item = QListWidgetItem(f"{d.name}  ({d.codings:,})")
            item.setData(ID_ROLE, d.sha256)
            item.setToolTip(d.name)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.document_list.addItem(item)
        for c in codebook.list_codes(self.project):
            for lst, tip in (
                (self.code_list, c.path),
                (self.exclusive_list, f"{c.path}\n\n{EXCLUSIVE_HELP}"),
            ):
                item = QListWidgetItem(swatch(c.color), "    " * c.depth + c.name)
                item.setData(ID_ROLE, c.path)
                item.setToolTip(tip)
                item.setCheckState(Qt.CheckState.Unchecked)
                lst.addItem(item)

    # -- remembered choices ------------------------------------------------------------------
    def _restore(self) -> None:
        """Tick the coders, unit and exclusive set last used in this project, as far as
        they still exist (fewer than two of the coders: keep the default ticks)."""
        if self.qsettings is None or not self.settings_group:
            return
        g = self.settings_group
        names = set(_as_list(self.qsettings.value(f"{g}/coders")))
        if len(names & set(_keys(self.coder_list))) >= 2:
            self.set_checked("coders", list(names))
        index = self.unit_box.findData(self.qsettings.value(f"{g}/unit", "", str))
        if index >= 0:
            self.unit_box.setCurrentIndex(index)
        self.set_checked("exclusive", _as_list(self.qsettings.value(f"{g}/exclusive")))
        self.options.load(self.qsettings, g)

    def remember(self) -> None:
        """Keep the ticked coders, the unit and the exclusive set for the next time."""
        if self.qsettings is None or not self.settings_group:
            return
        g = self.settings_group
        self.qsettings.setValue(f"{g}/coders", _checked(self.coder_list))
        self.qsettings.setValue(f"{g}/unit", self.unit_box.currentData())
        self.qsettings.setValue(f"{g}/exclusive", _checked(self.exclusive_list))
        self.options.save(self.qsettings, g)

    # -- choices ---------------------------------------------------------------------------
    def set_checked(self, which: str, keys: list[str]) -> None:
        """Tick exactly ``keys`` (coder names, document sha256s or code paths) in the list
        ``which``: "coders", "documents", "codes" or "exclusive"."""
        lst = {
            "coders": self.coder_list,
            "documents": self.document_list,
            "codes": self.code_list,
            "exclusive": self.exclusive_list,
        }[which]
        for i in range(lst.count()):
            item = lst.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.data(ID_ROLE) in keys else Qt.CheckState.Unchecked
            )

    def _exclusive_changed(self, *_args) -> None:
        self.options.none_as_value.setEnabled(len(_checked(self.exclusive_list)) >= 2)

    def choices(self) -> dict:
        """The keyword arguments of ``project_agreement``; "exclusive" (the paths of the set
        of mutually exclusive codes) only when codes are ticked for it; "none_as_value"
        and "coded_stretches" only when they differ from the defaults."""
        chosen = {
            "coders": _checked(self.coder_list),
            "documents": _checked(self.document_list) or None,
            "codes": _checked(self.code_list) or None,
            "unit": self.unit_box.currentData(),
        }
        exclusive = _checked(self.exclusive_list)
        if exclusive:
            chosen["exclusive"] = exclusive
        chosen.update(self.options.kwargs(exclusive=bool(exclusive)))
        return chosen

    # -- running ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.task is not None

    def compute(self) -> Task | None:
        if self.busy:
            return None
        settings = self.choices()
        if len(settings["coders"]) < 2:
            self.status.setText(
                f"<span style='color:{theme.current().danger}'>Tick at least two coders.</span>"
            )
            return None
        if len(settings.get("exclusive", ())) == 1:
            self.status.setText(
                f"<span style='color:{theme.current().danger}'>Tick two or more mutually exclusive codes, "
                "or none.</span>"
            )
            return None
        self.remember()
        project = self.project
        boot = self.options.bootstrap()

        def work(progress, cancelled):
            def step(done: int, total: int) -> None:
                if cancelled():
                    raise Cancelled
                progress(("document", done, total))

            report = project_agreement(project, progress=step, **settings)
            if boot is None:
                return report
            samples, seed = boot
            intervals = project_bootstrap(
                report, samples=samples, seed=seed, cancel=cancelled,
                progress=lambda done, total: progress(("bootstrap sample", done, total)),
            )  # fmt: skip
            if intervals is None:
                raise Cancelled
            return replace(report, bootstrap=intervals)

        task = Task(work)
        self.task = task
        self.settings = settings
        task.channel.progress.connect(self._progress)
        task.channel.finished.connect(self._finished)
        task.channel.failed.connect(self._failed)
        self.progress.setRange(0, 0)
        self.status.setText("Computing…")
        self._sync()
        self.runner.start(task)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling…")

    def _progress(self, value) -> None:
        what, done, total = value
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{what} {done:,} of {total:,}")

    def _finished(self, report: Report) -> None:
        self.task = None
        self.report = report
        self.model.set_report(report)
        docs = len(report.documents)
        pooled = report.pooled()
        codes = sum(r.kind != EXCLUSIVE_KIND for r in pooled)
        sets = [r.code for r in pooled if r.kind == EXCLUSIVE_KIND]
        what = wording.count(codes, "code")
        if sets:
            what += " and the mutually exclusive set " + ", ".join(
                f"<i>{_esc(name)}</i>" for name in sets
            )
        muted = theme.current().muted
        self.summary.setText(
            (
                f"Agreement of <b>{_esc(', '.join(report.coders))}</b> by {report.unit} units: "
                f"{what} in {wording.count(docs, 'document')}."
                if report.rows
                else "No codings by these coders in these documents."
            )
            + "".join(f"<br><span style='color:{muted}'>{_esc(c)}</span>" for c in report.choices)
        )
        self.status.setText("")
        self._sync()

    def _failed(self, error: str) -> None:
        cancelled = self.task is not None and self.task.is_cancelled
        self.task = None
        self.last_error = "" if cancelled else error
        self.status.setText(
            "Cancelled."
            if cancelled
            else f"<span style='color:{theme.current().danger}'>{_esc(error)}</span>"
        )
        self._sync()

    def _sync(self) -> None:
        busy = self.busy
        self.compute_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        has = self.report is not None and not busy
        self.save_csv_button.setEnabled(has)
        self.save_html_button.setEnabled(has)

    # -- saving ----------------------------------------------------------------------------
    def save(self, kind: str) -> Path | None:
        if self.report is None:
            return None
        stem = Path(self.project.path).stem
        title = "Save agreement as CSV" if kind == "csv" else "Save agreement report"
        file_filter = "CSV files (*.csv)" if kind == "csv" else "HTML files (*.html *.htm)"
        chosen = self.save_path(title, f"{stem}-agreement.{kind}", file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        if kind == "csv":
            text = self.report.to_csv(spreadsheet=True)  # saved to be opened in a spreadsheet
        else:
            text = render_html(
                self.report, project=self.project.name, codes=self.settings.get("codes")
            )
        try:
            write_report(path, text)
        except OSError as exc:
            self.status.setText(
                f"<span style='color:{theme.current().danger}'>{_esc(str(path))}: could not be saved "
                f"({_esc(exc.strerror or str(exc))})</span>"
            )
            return None
        self.status.setText(f"Saved {_esc(path.name)}.")
        return path

    def closeEvent(self, e) -> None:
        if self.task is not None:
            self.task.cancel()
        self.remember()
        super().closeEvent(e)


class AgreementReportModel(ReportModel):
    """The report's rows, the row of a set of mutually exclusive codes labelled as such
    (its name as the report gives it, then "(mutually exclusive)") and explained in its
    tooltip, with the units a coder gave more than one code of the set."""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if index.isValid() and index.column() == 0:
            r = self._rows[index.row()]
            if r.kind == EXCLUSIVE_KIND:
                if role == Qt.ItemDataRole.DisplayRole:
                    return r.code + EXCLUSIVE_SUFFIX
                if role == Qt.ItemDataRole.ToolTipRole:
                    return (
                        f"Mutually exclusive codes as one variable: {r.code}.\n"
                        "A unit's value is the code each coder gave it; "
                        f"{self.report.exclusive_missing if self.report else ''}; "
                        "alpha is over the code set.\n"
                        f"Units a coder gave more than one code of the set: {r.conflicts:,}."
                    )
        return super().data(index, role)


def _checklist() -> QListWidget:
    lst = QListWidget()
    lst.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    return lst


def _keys(lst: QListWidget) -> list[str]:
    return [lst.item(i).data(ID_ROLE) for i in range(lst.count())]


def _as_list(value) -> list[str]:
    """A list read back from QSettings: an INI file gives one string for a list of one,
    and nothing (or "") for an empty list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _checked(lst: QListWidget) -> list[str]:
    return [
        lst.item(i).data(ID_ROLE)
        for i in range(lst.count())
        if lst.item(i).checkState() == Qt.CheckState.Checked
    ]


def _ask_save_path(parent: QWidget) -> Callable[[str, str, str], str | None]:
    def ask(title: str, suggested: str, file_filter: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
        return path or None

    return ask


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
