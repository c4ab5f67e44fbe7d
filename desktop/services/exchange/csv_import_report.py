"""What a codings CSV import tells: :class:`CodingsImportReport` (what was imported,
skipped, created, warned), and :class:`CodingsImportRefused`, raised with it when any
row is bad and nothing was stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import wording
from desktop.services.errors import ServiceError


@dataclass
class CodingsImportReport:
    path: Path
    imported: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): duplicates
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what); 0 = the file
    more_errors: int = 0  # errors beyond those listed
    warnings: list[str] = field(default_factory=list)
    created_codes: list[str] = field(default_factory=list)
    created_coders: list[str] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        out = [f"line {line}: {msg}" if line else msg for line, msg in self.errors]
        if self.more_errors:
            out.append(
                f"... and {self.more_errors:,} more {wording.plural(self.more_errors, 'problem')}"
            )
        return out


class CodingsImportRefused(ServiceError):
    """The file was refused and nothing from it was stored; ``report.errors`` lists why."""

    def __init__(self, report: CodingsImportReport) -> None:
        total = len(report.errors) + report.more_errors
        if total == 1 and report.errors[0][0] == 0:  # the file itself: it names the file
            message = f"{report.errors[0][1]}; nothing was imported"
        else:
            lines = "\n  ".join(report.error_lines())
            message = f"{report.path}: nothing was imported, {wording.count(total, 'problem')} found:\n  {lines}"
        super().__init__(message)
        self.report = report
        self.errors = report.errors
