"""Progress and cancel hooks shared by the analysis services.

A query takes ``progress`` (called with a fraction 0..1 as it goes) and ``cancelled``
(asked between steps; once it returns true the query stops by raising Cancelled), so
the window can run it in a worker with a progress bar and a Cancel button."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[object], None] | None
IsCancelled = Callable[[], bool] | None


class Cancelled(Exception):
    """The user cancelled the query; nothing was changed."""


def step(progress: Progress, cancelled: IsCancelled, fraction: float) -> None:
    """Report ``fraction`` done, or stop here if the user cancelled."""
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled")
    if progress is not None:
        progress(max(0.0, min(1.0, fraction)))
