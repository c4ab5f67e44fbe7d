"""The agreement report over a project: rows per code (and per set of mutually exclusive
codes), per document and pooled, rendered as JSON, CSV or HTML."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from typing import Any

from desktop.core import csvio, wording
from desktop.core.agreement.coefficients import EXTRA_MEASURES, Reliability

MEASURES = ("percent_agreement", "scott_pi", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
# The columns of the report's tables: the classic five, then Bennett's S (MAXQDA's default)
# and Gwet's AC1. The weighted forms (AC2, weighted kappa) do not apply to codes, which a
# unit has or has not; they are in the JSON and the CLI's table mode.
TABLE_MEASURES = (*MEASURES, "bennett_s", "gwet_ac1")
MEASURE_TITLES = {
    "percent_agreement": "Percent agreement",
    "scott_pi": "Scott's pi",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "bennett_s": "Bennett's S",
    "gwet_ac1": "Gwet's AC1",
    "gwet_ac2": "Gwet's AC2",
    "cohen_kappa_linear": "Kappa (linear)",
    "cohen_kappa_quadratic": "Kappa (quadratic)",
}


@dataclass(frozen=True)
class AgreementRow:
    """Agreement on one code (or one set of mutually exclusive codes) in one document, or
    pooled over all documents (``document is None``).

    ``units``: units the row rests on; ``codings``/``coded_units``: per coder, the codings
    (spans) and the units coded; ``coded_by_any``: units at least one coder coded (with
    character units most units are coded by nobody, and percent agreement counts them as
    agreements: read it beside this number); ``conflicts``: for a set of mutually exclusive
    codes, units a coder gave more than one code of the set.
    """

    kind: str  # "code" | "exclusive set"
    code: str
    document: str | None
    units: int
    codings: dict[str, int]
    coded_units: dict[str, int]
    result: Reliability
    conflicts: int = 0
    coded_by_any: int = 0

    @property
    def scope(self) -> str:
        return "pooled" if self.document is None else "document"

    def value(self, measure: str) -> float | None:
        c = getattr(self.result, measure)
        return None if c is None else c.value

    def to_dict(self) -> dict[str, Any]:
        notes = {
            m: c.note
            for m in (*MEASURES, *EXTRA_MEASURES)
            if (c := getattr(self.result, m)) is not None and c.value is None
        }
        return {
            "kind": self.kind,
            "code": self.code,
            "scope": self.scope,
            "document": self.document,
            "units": self.units,
            "pairable_values": self.result.pairable_values,
            "codings": dict(self.codings),
            "coded_units": dict(self.coded_units),
            "coded_by_any": self.coded_by_any,
            "conflicts": self.conflicts,
            **{m: self.value(m) for m in MEASURES},
            **{m: self.value(m) for m in EXTRA_MEASURES},
            "pairwise_kappa": self.result.pairwise_kappa,
            "notes": notes,
        }


@dataclass(frozen=True)
class Report:
    unit: str
    coders: tuple[str, ...]
    documents: tuple[str, ...]
    rows: list[AgreementRow] = field(default_factory=list)
    definitions: str = (
        "Each unit is coded or not coded by each coder with each code (a coding overlapping "
        "a unit by one character codes it). Percent agreement is pairwise over pairable "
        "values; Cohen's kappa needs 2 coders; alpha is nominal (coded / not coded). For a "
        "set of mutually exclusive codes a unit's value is the code the coder gave it "
        "(a combination if several), and missing if none."
    )
    # the choices every figure rests on, said in every rendering
    units_counted: str = "every unit of the documents (uncoded text counts as agreement)"
    exclusive_missing: str = ""
    # what cut the units: segmenter, version, rules, locale (``units.segmentation_record``)
    # and, from the project, a ``note`` when it differs from what the project first used
    segmentation: dict = field(default_factory=dict)
    # bootstrap of alpha per (code, document) row (``bootstrap.bootstrap_report``)
    bootstrap: dict = field(default_factory=dict)

    @property
    def segmenter(self) -> str:
        """The segmentation in words, e.g. "ICU 77.1, UAX #29 sentences, locale root"."""
        s = self.segmentation
        if not s:
            return ""
        text = f"{s.get('segmenter', '?')} {s.get('version', '')}".strip()
        text += f", {s['rules']}" if s.get("rules") else ""
        text += f", locale {s['locale']}" if s.get("locale") else ""
        return text

    @property
    def choices(self) -> list[str]:
        out = [f"Units counted: {self.units_counted}."]
        if self.exclusive_missing:
            out.append(f"Mutually exclusive codes: {self.exclusive_missing}.")
        if self.segmentation:
            out.append(f"Units cut by: {self.units_cut_by}.")
        if self.bootstrap:
            out.append(f"Bootstrap of alpha: {self.bootstrap_settings}.")
        return out

    @property
    def bootstrap_settings(self) -> str:
        """How the bootstrap was done, in words, with its caveat for text units."""
        if not self.bootstrap:
            return ""
        b = next(iter(self.bootstrap.values()))
        seed = f"seed {b.seed}" if b.seed is not None else "no seed (a rerun differs)"
        text = (
            f"{b.samples:,} samples, {seed}, {100 * b.confidence:g} % percentile intervals "
            "(Hayes & Krippendorff 2007); units are resampled as independent draws"
        )
        if self.unit != "sentence":
            text += (
                f" (neighbouring {self.unit} units are not independent, so over {self.unit} "
                "units the intervals are too narrow)"
            )
        return text

    def bootstrap_rows(self) -> list[dict[str, Any]]:
        """One dict per row with a bootstrap: code, document, and the bootstrap's keys."""
        return [
            {"code": code, "document": document, **b.to_dict()}
            for (code, document), b in self.bootstrap.items()
        ]

    @property
    def units_cut_by(self) -> str:
        """The segmenter in words, with the project's note if there is one."""
        note = self.segmentation.get("note")
        return self.segmenter + (f" ({note})" if note else "")

    def pooled(self) -> list[AgreementRow]:
        return [r for r in self.rows if r.document is None]

    def find(self, code: str, document: str | None = None) -> AgreementRow:
        for row in self.rows:
            if row.code == code and row.document == document:
                return row
        raise KeyError((code, document))

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "coders": list(self.coders),
            "documents": list(self.documents),
            "definitions": self.definitions,
            "choices": self.choices,
            "segmentation": dict(self.segmentation),
            "rows": [r.to_dict() for r in self.rows],
            **({"bootstrap": self.bootstrap_rows()} if self.bootstrap else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Flat header and rows (one per AgreementRow), as in the CSV."""
        header = ["kind", "code", "scope", "document", "unit", "units", "pairable_values"]
        header += [f"codings:{c}" for c in self.coders]
        header += [f"coded_units:{c}" for c in self.coders]
        header += ["coded_by_any", "conflicts", *MEASURES, *EXTRA_MEASURES]
        minimums = self._minimums()
        if self.bootstrap:
            header += ["alpha_low", "alpha_high", *[f"q_alpha_below_{m:g}" for m in minimums]]
        header.append("segmenter")
        body = []
        for r in self.rows:
            boot = self.bootstrap.get((r.code, r.document))
            extra: list[Any] = []
            if self.bootstrap:
                extra = [None] * (2 + len(minimums))
                if boot is not None:
                    extra = [boot.low, boot.high, *[boot.below.get(m) for m in minimums]]
            body.append(
                [
                    r.kind,
                    r.code,
                    r.scope,
                    r.document or "",
                    self.unit,
                    r.units,
                    r.result.pairable_values,
                ]
                + [r.codings.get(c, 0) for c in self.coders]
                + [r.coded_units.get(c, 0) for c in self.coders]
                + [r.coded_by_any, r.conflicts]
                + [r.value(m) for m in MEASURES]
                + [r.value(m) for m in EXTRA_MEASURES]
                + extra
                + [self.segmenter]
            )
        return header, body

    def _minimums(self) -> list[float]:
        return sorted({m for b in self.bootstrap.values() for m in b.below})

    def to_csv(self, *, spreadsheet: bool = False) -> str:
        """The table as CSV; ``spreadsheet`` neutralises code, coder and document names
        that a spreadsheet would run as formulas (csvio.spreadsheet_cell)."""
        header, body = self.table()
        cell = csvio.spreadsheet_cell if spreadsheet else (lambda v: v)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([cell(v) for v in header])
        for row in body:
            writer.writerow(
                [cell("" if v is None else (f"{v:.6f}" if isinstance(v, float) else v))
                 for v in row]
            )  # fmt: skip
        return out.getvalue()

    def to_html(self) -> str:
        """A self-contained HTML table; n/a cells carry the reason as a tooltip."""
        head = ["Code", "Document", "Units", "Coded by any",
                *[MEASURE_TITLES[m] for m in TABLE_MEASURES]]  # fmt: skip
        lines = [
            '<table class="agreement">',
            "<caption>Inter-coder agreement by "
            + html.escape(self.unit)
            + " units; coders: "
            + html.escape(", ".join(self.coders))
            + "</caption>",
            "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead>",
            "<tbody>",
        ]
        for r in self.rows:
            cells = [
                html.escape(r.code),
                html.escape(r.document or "all documents"),
                str(r.units),
                str(r.coded_by_any),
            ]
            for m in TABLE_MEASURES:
                c = getattr(r.result, m)
                if c is None or c.value is None:
                    cells.append(f'<span title="{html.escape(not_applicable(c))}">n/a</span>')
                else:
                    cells.append(format_value(m, c.value))
            lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        lines += [
            "</tbody>",
            "</table>",
            f'<p class="definitions">{html.escape(self.definitions)}</p>',
            *[f'<p class="choices">{html.escape(c)}</p>' for c in self.choices],
        ]
        return "\n".join(lines)


def not_applicable(c) -> str:
    """Why a coefficient has no value (``c`` is None when it was not computed)."""
    return "not computed for this row" if c is None else c.note


def format_value(measure: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if measure == "percent_agreement":
        return f"{wording.number(100 * value, 1)} %"
    return wording.number(value)
