"""The review window's adjudication: accept the version of the coder in a column, accept
every agreement at once, code the selection as consensus, clear the consensus of the
current disagreement. Each is one command on the window's undo stack (``commands``),
reported in the status bar; the side panel's buttons follow the current disagreement
and the undo stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6

from desktop.services.review.review import CONSENSUS, Disagreement
from desktop.ui.review import commands
from desktop.ui.review.models import short

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPushButton

    from desktop.services.codebook.codebook import CodeInfo
    from desktop.services.teams.coders import CoderInfo
    from desktop.ui.review.viewer import ReviewViewer
    from desktop.ui.workbench.context import Context


class AdjudicationActions:
    """Mixed into ``ReviewWindow`` (a QMainWindow), whose state it reads: the chosen
    document, code filter, unit and coders, the current disagreement and the side
    panel's buttons."""

    ctx: Context | None
    document_id: int | None
    code_filter: int | None
    unit: str
    all_coders: list[CoderInfo]
    coder_ids: list[int]
    consensus: CoderInfo | None
    codes: dict[int, CodeInfo]
    items: list[Disagreement]
    pending_agreements: list[Disagreement]
    viewer: ReviewViewer
    accept_buttons: dict[int, QPushButton]
    prev_button: QPushButton
    next_button: QPushButton
    own_button: QPushButton
    clear_button: QPushButton
    undo_button: QPushButton
    redo_button: QPushButton

    def accept_column(self, k: int) -> bool:
        """Accept the version of the coder in column ``k`` (0-based) for the current one."""
        d = self.current_disagreement()
        if d is None or not 0 <= k < len(self.coder_ids):
            return False
        coder_id = self.coder_ids[k]
        name = next(c.name for c in self.all_coders if c.id == coder_id)
        if d.resolved and coder_id in d.settled_by:
            self.statusBar().showMessage(f"The consensus already is {name}'s version here.", 4000)
            return False
        ok = self.ctx.run(
            commands.accept_version(self.ctx, d, coder_id, name, self._consensus_key())
        )
        if ok:
            self.statusBar().showMessage(f"Accepted {name}'s version of {d.code}.", 4000)
        return ok

    def accept_all_agreements(self) -> bool:
        """Put every passage all the compared coders coded the same way (in this document,
        for the chosen code) into the consensus: one step on the undo stack."""
        count = len(self.pending_agreements)
        if not count or self.document_id is None:
            self.statusBar().showMessage("No agreements to accept here.", 4000)
            return False
        ok = self.ctx.run(
            commands.accept_agreements(
                self.ctx,
                document_id=self.document_id,
                coder_ids=list(self.coder_ids),
                code_ids=[self.code_filter] if self.code_filter else None,
                unit=self.unit,
                consensus=self._consensus_key(),
                count=count,
            )  # fmt: skip
        )
        if ok:
            self.statusBar().showMessage(
                f"Accepted {count} passage{'s' if count != 1 else ''} every coder coded the "
                "same way into the consensus (Ctrl+Z takes them out again).",
                6000,
            )
        return ok

    def _own_target(self) -> tuple[int, str, int, int] | None:
        """(code id, path, start, end) for coding the selection as consensus."""
        rng = self.viewer.selected_range()
        if rng is None or self.document_id is None:
            return None
        d = self.current_disagreement()
        code_id = self.code_filter or (d.code_id if d else None)
        if code_id is None or code_id not in self.codes:
            return None
        return code_id, self.codes[code_id].path, rng[0], rng[1]

    def code_selection(self) -> bool:
        target = self._own_target()
        if target is None:
            self.statusBar().showMessage(
                "Select the passage in the document first (and pick a disagreement or a code).",
                5000,
            )
            return False
        code_id, path, start, end = target
        ok = self.ctx.run(
            commands.code_as_consensus(
                self.ctx,
                document_id=self.document_id,
                code_id=code_id,
                code=path,
                start=start,
                end=end,
                consensus=self._consensus_key(),
            )  # fmt: skip
        )
        if ok:
            self.statusBar().showMessage(
                f"Coded “{short(self.viewer.text[start:end], 40)}” as consensus.", 4000
            )
        return ok

    def clear_current(self) -> bool:
        d = self.current_disagreement()
        if d is None or not d.consensus:
            return False
        return self.ctx.run(commands.clear_consensus(self.ctx, d, self._consensus_key()))

    def _consensus_key(self) -> int | str:
        return self.consensus.id if self.consensus else CONSENSUS

    def _sync_buttons(self) -> None:
        d = self.current_disagreement()
        has = d is not None
        self.prev_button.setEnabled(bool(self.items))
        self.next_button.setEnabled(bool(self.items))
        for cid, button in self.accept_buttons.items():
            button.setEnabled(has)
            settled = has and d.resolved and cid in d.settled_by
            font = button.font()
            font.setBold(settled)
            button.setFont(font)
        self.clear_button.setEnabled(has and bool(d.consensus))
        target = self._own_target()
        self.own_button.setEnabled(target is not None)
        code_id = self.code_filter or (d.code_id if d else None)
        name = self.codes[code_id].name if code_id in self.codes else ""
        self.own_button.setText(
            f"Code selection as consensus: {name}" if name else "Code selection as consensus"
        )
        self._sync_undo()

    def _undo_index_changed(self, _index: int) -> None:
        self._sync_undo()

    def _sync_undo(self) -> None:
        if self.ctx is None or not shiboken6.isValid(self.ctx.undo_stack):
            return
        stack = self.ctx.undo_stack
        self.undo_button.setEnabled(stack.canUndo())
        self.redo_button.setEnabled(stack.canRedo())
        self.undo_button.setToolTip(f"Undo {stack.undoText()} (Ctrl+Z)")
        self.redo_button.setToolTip(f"Redo {stack.redoText()} (Ctrl+Shift+Z)")
