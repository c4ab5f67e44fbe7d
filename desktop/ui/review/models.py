"""Item models of the review window and the agreement dialog, fed with the services'
dataclasses (no queries here): the disagreements, each coder against the consensus, and
the rows of an agreement report."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.core.agreement import Report, format_value
from desktop.core.agreement.report import TABLE_MEASURES, not_applicable
from desktop.services.review.review import ConsensusAgreement, Disagreement
from desktop.ui import theme
from desktop.ui.look import swatch

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
KEY_ROLE = Qt.ItemDataRole.UserRole + 11
OPEN, SETTLED = "open", "settled"


def short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_of(d: Disagreement, names: dict[int, str]) -> str:
    """What the consensus holds for a disagreement, in words."""
    if not d.resolved:
        return "open"
    if d.settled_by:
        who = [names.get(c, "?") for c in d.settled_by]
        if not d.consensus:
            return "not coded (as " + ", ".join(who) + ")"
        return ", ".join(who) + ("’s version" if len(who) == 1 else "’ versions")
    return "own version"


class DisagreementModel(QAbstractTableModel):
    """One row per disagreement: code, passage, one column per coder (what they coded),
    and what the consensus holds."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Disagreement] = []
        self._coders: list[tuple[int, str, str]] = []  # id, name, colour
        self._colors: dict[int, str] = {}

    def set_rows(
        self, rows: list[Disagreement], coders: list[tuple[int, str, str]], colors: dict[int, str]
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._coders = list(coders)
        self._colors = dict(colors)
        self.endResetModel()

    def row(self, i: int) -> Disagreement:
        return self._rows[i]

    @property
    def rows(self) -> list[Disagreement]:
        return list(self._rows)

    def row_of(self, key) -> int:
        return next((i for i, d in enumerate(self._rows) if d.key == key), -1)

    def headers(self) -> list[str]:
        return ["#", "Code", "Passage", *[name for _, name, _ in self._coders], "Consensus"]

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else 4 + len(self._coders)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.DecorationRole and 3 <= section < 3 + len(self._coders):
            return swatch(self._coders[section - 3][2], round_=True)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        col = index.column()
        n = len(self._coders)
        names = {cid: name for cid, name, _ in self._coders}
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(index.row() + 1)
            if col == 1:
                return d.code.rsplit("/", 1)[-1]
            if col == 2:
                return short(d.quote)
            if col < 3 + n:
                version = d.version(self._coders[col - 3][0])
                if not version.coded:
                    return "not coded"
                if len(version.codings) == 1:
                    c = version.codings[0]
                    return short(c.quote, 36) if (c.start, c.end) != (d.start, d.end) else "all"
                return f"{len(version.codings)} passages"
            return status_of(d, names)
        if role == Qt.ItemDataRole.ToolTipRole:
            if 3 <= col < 3 + n:
                return d.version(self._coders[col - 3][0]).describe(200)
            return f"{d.code}: “{short(d.quote, 300)}”\n{d.summary()}"
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return swatch(self._colors.get(d.code_id, theme.current().missing_code))
        if role == Qt.ItemDataRole.ForegroundRole:
            if 3 <= col < 3 + n and not d.version(self._coders[col - 3][0]).coded:
                return theme.current().colour("muted")
            if col == 3 + n and not d.resolved:
                return theme.current().colour("danger")
        if role == Qt.ItemDataRole.FontRole and col == 3 + n and not d.resolved:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return _RIGHT
        if role == KEY_ROLE:
            return d.key
        return None


CONSENSUS_MEASURES = ("krippendorff_alpha", "cohen_kappa", "percent_agreement")
SHORT_TITLES = {
    "krippendorff_alpha": "α",
    "cohen_kappa": "κ",
    "percent_agreement": "% agree",
    "scott_pi": "π",
    "fleiss_kappa": "Fleiss κ",
    "bennett_s": "S",
    "gwet_ac1": "AC1",
}


class ConsensusModel(QAbstractTableModel):
    """Each coder against the consensus: alpha, kappa and percent agreement over all codes
    in review; the tooltip lists them per code."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[ConsensusAgreement] = []
        self._colors: dict[int, str] = {}

    def set_rows(self, rows: list[ConsensusAgreement], colors: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._colors = dict(colors)
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else 1 + len(CONSENSUS_MEASURES)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Coder", *[SHORT_TITLES[m] for m in CONSENSUS_MEASURES])[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return (
                "Coder",
                "Krippendorff's alpha with the consensus, all codes pooled",
                "Cohen's kappa with the consensus, all codes pooled",
                "Percent agreement with the consensus (units coded by nobody count)",
            )[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return r.coder
            m = CONSENSUS_MEASURES[col - 1]
            return format_value(m, r.value(m))
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return swatch(self._colors.get(r.coder_id, theme.current().missing_coder), round_=True)
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.report is None:
                return "No consensus yet: accept a version or code as consensus."
            lines = [f"{r.coder} vs consensus, by code ({r.report.unit} units):"]
            for row in r.report.pooled():
                values = ", ".join(
                    f"{SHORT_TITLES[m]} {format_value(m, row.value(m))}" for m in CONSENSUS_MEASURES
                )
                lines.append(f"{row.code}: {values}")
            return "\n".join(lines)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col > 0
            and r.value(CONSENSUS_MEASURES[col - 1]) is None
        ):
            return theme.current().colour("muted")
        return None


REPORT_MEASURES = TABLE_MEASURES
REPORT_HEADERS = (
    "Code", "Document", "Units", "Coded by any", *[SHORT_TITLES[m] for m in REPORT_MEASURES]
)  # fmt: skip


class ReportModel(QAbstractTableModel):
    """The rows of an agreement report: pooled rows first, then per document; n/a cells
    say why in their tooltip. With a bootstrap, columns for alpha's interval and q (the
    share of samples below each minimum) follow."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self._rows: list = []
        self._minimums: list[float] = []

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = list(report.rows) if report is not None else []
        boot = report.bootstrap if report is not None else {}
        self._minimums = sorted({m for b in boot.values() for m in b.below})
        self.endResetModel()

    def _boot_headers(self) -> list[str]:
        if self.report is None or not self.report.bootstrap:
            return []
        first = next(iter(self.report.bootstrap.values()))
        return [f"α {100 * first.confidence:g} % interval",
                *[f"q(α < {m:g})" for m in self._minimums]]  # fmt: skip

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(REPORT_HEADERS) + len(self._boot_headers())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        n = len(REPORT_HEADERS)
        if role == Qt.ItemDataRole.DisplayRole:
            return REPORT_HEADERS[section] if section < n else self._boot_headers()[section - n]
        if role == Qt.ItemDataRole.ToolTipRole:
            from desktop.core.agreement.report import MEASURE_TITLES

            if section >= n and self.report is not None:
                return "Bootstrap of alpha: " + self.report.bootstrap_settings
            if section >= 4:
                return MEASURE_TITLES[REPORT_MEASURES[section - 4]]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if col >= len(REPORT_HEADERS):
            return self._boot_data(r, col - len(REPORT_HEADERS), role)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return r.code
            if col == 1:
                return r.document or "all documents"
            if col == 2:
                return f"{r.units:,}"
            if col == 3:
                return f"{r.coded_by_any:,}"
            m = REPORT_MEASURES[col - 4]
            return format_value(m, r.value(m))
        if role == Qt.ItemDataRole.ToolTipRole and col >= 4:
            c = getattr(r.result, REPORT_MEASURES[col - 4])
            return not_applicable(c) if c is None or c.value is None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return _RIGHT
        if role == Qt.ItemDataRole.FontRole and r.document is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if col >= 4 and r.value(REPORT_MEASURES[col - 4]) is None:
                return theme.current().colour("muted")
            if col == 1 and r.document is None:
                return theme.current().colour("muted")
        return None

    def _boot_data(self, r, k: int, role: int):
        """Column ``k`` of the bootstrap columns: the interval, then q per minimum."""
        b = self.report.bootstrap.get((r.code, r.document)) if self.report else None
        if b is None:
            return None  # rows per document are not bootstrapped
        if role == Qt.ItemDataRole.DisplayRole:
            if b.low is None:
                return "n/a"
            return (
                f"[{b.low:.3f}, {b.high:.3f}]"
                if k == 0
                else f"{b.below[self._minimums[k - 1]]:.3f}"
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            seed = f", seed {b.seed}" if b.seed is not None else ""
            return b.note if b.low is None else f"{b.samples:,} samples{seed}; alpha {b.alpha:.3f}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None
