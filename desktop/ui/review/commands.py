"""Undoable adjudication: each action is one service call (one transaction) that returns
what it changed in the consensus layer; undo and redo hand that back to the service."""

from __future__ import annotations

from collections.abc import Callable

from desktop.services.review import review
from desktop.services.review.review import Adjudication, Disagreement
from desktop.ui.workbench.context import Command, Context


class Adjudicate(Command):
    def __init__(self, ctx: Context, text: str, action: Callable[[], Adjudication]) -> None:
        super().__init__(ctx, text)
        self.action = action
        self.done: Adjudication | None = None

    def do(self) -> None:
        if self.done is None:
            self.done = self.action()
        else:
            self.done = review.redo(self.ctx.project, self.done)

    def undo_(self) -> None:
        assert self.done is not None
        self.done = review.undo(self.ctx.project, self.done)

    def announce(self) -> None:
        self.ctx.codings_changed.emit(self.done.document_id if self.done else 0)


def accept_version(
    ctx: Context, d: Disagreement, coder_id: int, coder_name: str, consensus: int | str
) -> Adjudicate:
    return Adjudicate(
        ctx,
        f"Accept {coder_name}'s version of {d.code}",
        lambda: review.accept(ctx.project, d, coder_id, consensus),
    )


def code_as_consensus(
    ctx: Context, *, document_id: int, code_id: int, code: str, start: int, end: int,
    consensus: int | str,
) -> Adjudicate:  # fmt: skip
    return Adjudicate(
        ctx,
        f"Code as consensus {code}",
        lambda: review.code_as_consensus(
            ctx.project,
            document_id=document_id,
            code_id=code_id,
            start=start,
            end=end,
            consensus=consensus,
        ),  # fmt: skip
    )


def clear_consensus(ctx: Context, d: Disagreement, consensus: int | str) -> Adjudicate:
    return Adjudicate(
        ctx,
        f"Clear consensus of {d.code}",
        lambda: review.clear_consensus(ctx.project, d, consensus),
    )


def accept_agreements(
    ctx: Context, *, document_id: int, coder_ids: list[int], code_ids: list[int] | None,
    unit: str, consensus: int | str, count: int,
) -> Adjudicate:  # fmt: skip
    return Adjudicate(
        ctx,
        f"Accept {count} agreement{'s' if count != 1 else ''}",
        lambda: review.accept_agreements(
            ctx.project, document_id, coder_ids, code_ids, unit, consensus
        ),
    )
