"""Errors the services raise: each message is meant for the user, as it stands."""

from __future__ import annotations


class ServiceError(Exception):
    """A user action cannot be carried out; str(exc) says why."""


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The action clashes with what is stored (a duplicate name, a cycle, ...)."""


class ConfirmationNeeded(ServiceError):
    """The action would remove data (e.g. codings) and needs an explicit yes."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count
