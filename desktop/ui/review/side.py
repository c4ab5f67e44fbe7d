"""The review window's side panel: the disagreements list with Previous/Next, what each
coder coded in the current one, the buttons that decide it, and each coder's agreement
with the consensus. Widgets only: the window connects them to its actions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.codebook.codebook import CodeInfo
from desktop.services.review.review import Disagreement
from desktop.services.teams.coders import CoderInfo
from desktop.ui import theme
from desktop.ui.look import swatch
from desktop.ui.review.models import ConsensusModel, DisagreementModel, short, status_of

# the parts the window (and its tests) reach by name
PANEL_PARTS = (
    "count_label", "open_only", "model", "table", "prev_button", "next_button",
    "position_label", "detail", "accept_grid", "accept_buttons", "own_button", "clear_button",
    "undo_button", "redo_button", "consensus_model", "consensus_table", "consensus_note",
    "accept_all_button",
)  # fmt: skip
UNIT_NAMES = {"char": "character", "word": "word", "sentence": "sentence"}


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def detail_html(d: Disagreement, coders: list[CoderInfo], code: CodeInfo | None) -> str:
    """The current disagreement in words: code, passage, each coder's version, status."""
    names = {c.id: c.name for c in coders}
    colors = {c.id: c.color for c in coders}
    lines = [
        f"<b><span style='color:{code.color if code else theme.current().missing_code}'>■</span> {esc(d.code)}</b>"
        f" <span style='color:{theme.current().muted}'>· characters {d.start}–{d.end}</span>",
        f"<i>“{esc(short(d.quote, 220))}”</i>",
    ]
    for v in d.versions:
        lines.append(f"<span style='color:{colors.get(v.coder_id, theme.current().missing_coder)}'>●</span> "
                     f"<b>{esc(v.coder)}</b>: {esc(v.describe(90))}")  # fmt: skip
    colour = theme.current().danger if not d.resolved else theme.current().ok
    lines.append(f"Consensus: <b style='color:{colour}'>{esc(status_of(d, names))}</b>")
    return "<br>".join(lines)


def consensus_note(scope: str, unit: str, *, has_consensus: bool, open_: int, pending: int) -> str:
    """What the agreement with the consensus counts, in words: every unit of the document
    once per code, and, while passages are not decided, that those count as "not coded"
    in the consensus (so the figures are provisional)."""
    if not has_consensus:
        return (
            "No consensus yet: accept a version, accept all agreements or code a selection "
            "as consensus."
        )
    counts = f"Counts each {UNIT_NAMES.get(unit, unit)} of this document once per code ({scope})."
    waiting = []
    if open_:
        waiting.append(f"{open_} open disagreement{'s' if open_ != 1 else ''}")
    if pending:
        waiting.append(f"{pending} agreement{'s' if pending != 1 else ''} not accepted")
    if not waiting:
        return f"{counts} Every passage is decided. Hover a row for each code."
    return (
        f"{counts} Where the consensus has nothing yet it counts as not coded: with "
        f"{' and '.join(waiting)} these figures are provisional. Hover a row for each code."
    )


class ReviewPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewSide")
        self._accept_for: list | None = None
        s = QVBoxLayout(self)
        s.setContentsMargins(10, 8, 10, 8)
        s.setSpacing(6)
        self.count_label = QLabel()
        self.count_label.setObjectName("reviewCount")
        self.open_only = QCheckBox("Open only")
        self.open_only.setToolTip(
            "List only the passages not decided yet: a decided one leaves the list and the "
            "next open one becomes current"
        )
        head = QHBoxLayout()
        head.addWidget(self.count_label, 1)
        head.addWidget(self.open_only)
        s.addLayout(head)
        self.model = DisagreementModel(self)
        self.table = QTableView()
        self.table.setObjectName("disagreements")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        s.addWidget(self.table, 3)

        nav = QHBoxLayout()
        self.prev_button = QPushButton("◀  Previous")
        self.prev_button.setToolTip("Previous disagreement (P, Shift+F8)")
        self.next_button = QPushButton("Next  ▶")
        self.next_button.setToolTip("Next disagreement (N, F8)")
        self.position_label = QLabel()
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.position_label, 1)
        nav.addWidget(self.next_button)
        s.addLayout(nav)

        self.detail = QLabel()
        self.detail.setObjectName("reviewDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail.setMargin(8)
        self.detail.setMinimumHeight(90)
        s.addWidget(self.detail, 1)

        self.accept_grid = QGridLayout()
        self.accept_grid.setSpacing(6)
        self.accept_buttons: dict[int, QPushButton] = {}
        s.addLayout(self.accept_grid)
        own = QHBoxLayout()
        self.own_button = QPushButton("Code selection as consensus")
        self.own_button.setToolTip(
            "Select text in the document, then code it with this disagreement's code in the "
            "consensus layer (C)"
        )
        self.clear_button = QPushButton("Clear consensus here")
        self.clear_button.setToolTip("Remove the consensus codings of this passage (X)")
        own.addWidget(self.own_button, 1)
        own.addWidget(self.clear_button)
        s.addLayout(own)
        self.accept_all_button = QPushButton("Accept all agreements")
        self.accept_all_button.setToolTip(
            "Put every passage that all the compared coders coded the same way into the "
            "consensus at once (A); passages where the consensus already has a coding of "
            "the code stay as they are. One step to undo."
        )
        s.addWidget(self.accept_all_button)
        undo = QHBoxLayout()
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        undo.addWidget(self.undo_button, 1)
        undo.addWidget(self.redo_button, 1)
        s.addLayout(undo)

        heading = QLabel("<b>Agreement with the consensus</b>")
        heading.setContentsMargins(0, 8, 0, 0)
        s.addWidget(heading)
        self.consensus_model = ConsensusModel(self)
        self.consensus_table = QTableView()
        self.consensus_table.setObjectName("consensusAgreement")
        self.consensus_table.setModel(self.consensus_model)
        self.consensus_table.verticalHeader().hide()
        self.consensus_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.consensus_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.consensus_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.consensus_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.consensus_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        s.addWidget(self.consensus_table)
        self.consensus_note = QLabel()
        self.consensus_note.setObjectName("consensusNote")
        self.consensus_note.setWordWrap(True)
        s.addWidget(self.consensus_note)

    def set_accept_all(self, pending: int) -> None:
        """The "Accept all agreements" button for ``pending`` agreements not yet in the
        consensus."""
        self.accept_all_button.setText(
            f"Accept all agreements ({pending})" if pending else "Accept all agreements"
        )
        self.accept_all_button.setEnabled(pending > 0)

    def size_columns(self) -> None:
        """Code, passage and what each coder coded share the width; status takes the rest."""
        header = self.table.horizontalHeader()
        n = self.model.columnCount()
        for col in range(n):
            mode = (
                QHeaderView.ResizeMode.ResizeToContents
                if col == 0
                else QHeaderView.ResizeMode.Interactive
            )
            header.setSectionResizeMode(col, mode)
        coders = n - 4
        room = self.table.viewport().width() - 40 - 104 - 110
        each = max(64, min(120, room // max(coders + 1, 1)))
        widths = [0, 104, each] + [each] * coders + [110]
        for col in range(1, n - 1):
            self.table.setColumnWidth(col, widths[col])

    def set_accept_buttons(
        self, chosen: list[tuple[int, str, str]], accept: Callable[[int], object]
    ) -> dict[int, QPushButton]:
        """One "Accept <coder>'s version" button per coder (id, name, colour); a click
        calls ``accept(column)``. Rebuilt only when the coders change."""
        if chosen == self._accept_for:
            return self.accept_buttons
        self._accept_for = list(chosen)
        while self.accept_grid.count():
            item = self.accept_grid.takeAt(0)
            if item.widget():
                item.widget().setParent(None)
                item.widget().deleteLater()
        self.accept_buttons = {}
        for i, (cid, name, colour) in enumerate(chosen):
            label = f"Accept {name.replace('&', '&&')}'s version" + (
                f"  ({i + 1})" if i < 9 else ""
            )
            button = QPushButton(swatch(colour, round_=True), label)
            button.setToolTip(f"Make the consensus here what {name} coded ({i + 1})")
            button.clicked.connect(lambda _=False, k=i: accept(k))
            self.accept_grid.addWidget(button, i // 2, i % 2)
            self.accept_buttons[cid] = button
        return self.accept_buttons

    def fit_consensus_table(self) -> None:
        t = self.consensus_table
        rows = self.consensus_model.rowCount()
        height = t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(rows))
        t.setFixedHeight(height + 2 * t.frameWidth() + 1)
