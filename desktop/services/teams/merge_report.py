"""What a merge of coders' files did (or, in a dry run, would do), source by source:
the report ``merge.merge_projects`` returns, and its text for the CLI and the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import wording
from desktop.services.errors import ServiceError

SHOW = 20  # items of a long list shown in a message


class MergeRefused(ServiceError):
    """The source cannot be merged as it stands; the message says what to do."""


@dataclass(frozen=True)
class MergeProgress:
    source_index: int  # 0-based
    sources_total: int
    source: str  # file name
    stage: str  # reading | checking | codings | done
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class CodingConflict:
    document: str
    code: str
    coder: str
    start: int
    end: int
    what: str  # "memo" or the field's name
    target_value: str
    source_value: str
    kept: str  # "target" or "source"


@dataclass
class SourceReport:
    path: Path
    status: str = "pending"  # merged | dry run | refused | failed | cancelled | skipped
    error: str = ""
    documents_added: list[str] = field(default_factory=list)
    documents_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    codes_missing: list[str] = field(default_factory=list)
    # (path in source, path in target): the same code, renamed or moved since the copy
    codes_renamed: list[tuple[str, str]] = field(default_factory=list)
    fields_added: list[str] = field(default_factory=list)  # "code path: field"
    fields_missing: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    coders_matched: list[str] = field(default_factory=list)
    coders_matched_by_name: list[str] = field(default_factory=list)  # no identity to compare
    coders_renamed: list[tuple[str, str]] = field(default_factory=list)  # (in source, in target)
    coder_clashes: list[str] = field(default_factory=list)
    codings_in_source: int = 0
    codings_added: int = 0
    codings_present: int = 0
    codings_filled: int = 0  # present, and a memo or value the target lacked was added
    conflicts: list[CodingConflict] = field(default_factory=list)
    # attributes, cases, sets, journal entries and memos added or differing
    study: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("merged", "dry run")

    def forget_writes(self) -> None:
        """Zero what was counted as written, after a rollback."""
        for name in (
            "documents_added", "codes_added", "fields_added", "coders_added", "coders_renamed",
            "conflicts", "study",
        ):  # fmt: skip
            getattr(self, name).clear()
        self.codings_added = self.codings_present = self.codings_filled = 0

    def describe(self, limit: int = SHOW) -> list[str]:
        """The report as lines of text, for the CLI to print and the window to show."""
        if self.status == "skipped":
            return [f"skipped {self.path} (cancelled)"]
        if self.status == "cancelled":
            return [f"cancelled {self.path}: nothing of it was merged"]
        if not self.ok:
            return [f"{self.status} {self.error or self.path}"]
        out = [f"{'would merge' if self.status == 'dry run' else 'merged'} {self.path}"]
        out.append(
            f"  documents: {len(self.documents_added)} added, {self.documents_matched} already here"
            + _listed(self.documents_added, limit)
        )
        if self.codes_added:
            out.append(f"  codes: {len(self.codes_added)} added{_listed(self.codes_added, limit)}")
        if self.codes_renamed:
            moved = [f"{old} → {new}" for old, new in self.codes_renamed]
            out.append(
                f"  codes: {wording.count(len(moved), 'code')} renamed or moved since the copy "
                f"was made (codings go to the code as it is here){_listed(moved, limit)}"
            )
        if self.fields_added:
            out.append(
                f"  typed fields: {len(self.fields_added)} added{_listed(self.fields_added, limit)}"
            )
        parts = []
        if self.coders_added:
            parts.append(f"{len(self.coders_added)} added ({', '.join(self.coders_added)})")
        if self.coders_matched:
            parts.append(f"{', '.join(self.coders_matched)} already here")
        if self.coders_matched_by_name:
            names = ", ".join(self.coders_matched_by_name)
            parts.append(f"{names} matched by name only (no identity recorded)")
        parts.extend(f"{old} is {new} here" for old, new in self.coders_renamed)
        if parts:
            out.append("  coders: " + "; ".join(parts))
        line = f"  codings: {self.codings_added} added, {self.codings_present} already present"
        if self.codings_filled:
            line += f" ({self.codings_filled} given a memo or value they lacked)"
        if self.conflicts:
            line += f", {len(self.conflicts)} conflicting (kept the {self.conflicts[0].kept}'s)"
        out.append(line)
        for c in self.conflicts[:limit]:
            out.append(
                f"    {c.document} [{c.start}, {c.end}) {c.code} by {c.coder}: {c.what} "
                f"{c.target_value!r} here, {c.source_value!r} there"
            )
        if len(self.conflicts) > limit:
            out.append(f"    ... and {len(self.conflicts) - limit} more")
        if self.study:
            out.append(
                f"  attributes, cases, sets, memos: {wording.count(len(self.study), 'change')}"
            )
            out.extend(f"    {line}" for line in self.study[:limit])
            if len(self.study) > limit:
                out.append(f"    ... and {len(self.study) - limit} more")
        return out


@dataclass
class MergeReport:
    sources: list[SourceReport] = field(default_factory=list)
    dry_run: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.cancelled and all(r.ok for r in self.sources)

    @property
    def codings_added(self) -> int:
        return sum(r.codings_added for r in self.sources if r.ok)


def some(items: list[str], limit: int = SHOW) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _listed(items: list[str], limit: int) -> str:
    return f": {some(items, limit)}" if items else ""
