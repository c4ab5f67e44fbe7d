"""Reviewing coders' work: disagreements side by side with adjudication into a consensus
coder (``window``; its adjudication actions in ``adjudication``), and inter-coder
agreement computed in a worker (``agreement``). The main window's Review menu calls the
two openers below."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench


def open_review(w: Workbench) -> None:
    """Review > Compare coders…"""
    from desktop.ui.review.window import open_review_window

    open_review_window(w)


def open_agreement(w: Workbench) -> None:
    """Review > Agreement…"""
    from desktop.ui.review.agreement import open_agreement_dialog

    open_agreement_dialog(w)
