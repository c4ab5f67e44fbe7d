"""``tessera agreement``: inter-coder agreement on a CSV table of reliability data, or
over a project's codings.

    tessera agreement --table FILE.csv [--level nominal|ordinal|interval|ratio] [--json|--csv]
    tessera agreement PROJECT --coders a,b[,c] [--unit char|word|sentence] [--codes PATH...]
                      [--documents NAME...] [--exclusive PATH...] [--json|--csv]
                      [--html FILE.html]

The table: one row per unit, one column per coder, a header row of coder names; an empty
cell is a missing value. Nominal values may be any text; the other levels need numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from desktop.cli.common import CliError
from desktop.core.agreement import LEVELS, MEASURES, UNIT_KINDS, Reliability, format_value
from desktop.core.agreement.coefficients import reliability

TITLES = {
    "percent_agreement": "Percent agreement",
    "scott_pi": "Scott's pi",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "agreement",
        help="inter-coder agreement (a CSV table, or a project's codings)",
        description=(
            "Inter-coder agreement on a CSV table of reliability data (one row per unit, one "
            "column per coder, a header row of coder names, an empty cell for a missing "
            "value), or over a PROJECT's codings (per code, per document and pooled)."
        ),
        epilog=(
            "Percent agreement is pairwise over pairable values; Scott's pi and Cohen's "
            "kappa need exactly two coders and no missing values; Fleiss' kappa needs the "
            "same number of values in every unit; Krippendorff's alpha allows missing "
            "values. n/a (null in JSON) marks a coefficient that does not apply or is "
            "undefined (no variation)."
        ),
    )
    p.add_argument("project", nargs="?", metavar="PROJECT", help="a Tessera project file")
    p.add_argument("--table", metavar="FILE.csv", help="reliability data: units x coders CSV")
    p.add_argument("--level", choices=LEVELS, default="nominal",
                   help="level of measurement for alpha with --table (default: nominal)")  # fmt: skip
    p.add_argument("--coders", metavar="A,B[,C]", help="with PROJECT: the coders to compare")
    p.add_argument("--unit", choices=UNIT_KINDS, default="char",
                   help="with PROJECT: unit of analysis (default: char)")  # fmt: skip
    p.add_argument("--codes", nargs="+", metavar="PATH",
                   help="with PROJECT: codes (default: those the coders used)")  # fmt: skip
    p.add_argument("--documents", nargs="+", metavar="NAME",
                   help="with PROJECT: documents (default: those the coders coded)")  # fmt: skip
    p.add_argument("--exclusive", nargs="+", metavar="PATH",
                   help="with PROJECT: a set of mutually exclusive codes, also reported as one variable")  # fmt: skip
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--html", metavar="FILE.html",
                   help="with PROJECT: also write a readable HTML report (settings, chart of "
                        "alpha per code, tables) to FILE.html")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.table and args.project:
        raise CliError("agreement: give either --table FILE.csv or a PROJECT, not both")
    if args.table:
        extra = [f"--{name}" for name in ("coders", "codes", "documents", "exclusive", "html")
                 if getattr(args, name)]  # fmt: skip
        if extra:
            raise CliError(f"agreement: {', '.join(extra)} only apply to a PROJECT")
        return _run_table(args)
    if args.project:
        return _run_project(args)
    raise CliError("agreement: give --table FILE.csv or a PROJECT (see tessera agreement --help)")


# --- a table of reliability data ------------------------------------------------------------


def read_table(path: Path, level: str) -> tuple[list[str], list[list]]:
    """Coder names and the coders x units matrix of a units x coders CSV file."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = _parse(fh, path)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not a UTF-8 text file; save the table as CSV (UTF-8)") from None
    if not rows:
        raise CliError(f"{path}: empty file; expected a header row of coder names")
    (header_line, header), body = rows[0], rows[1:]
    coders = [c.strip() for c in header]
    for i, name in enumerate(coders, 1):
        if not name:
            raise CliError(f"{path}, line {header_line}: column {i} has no coder name")
    if len(set(coders)) != len(coders):
        raise CliError(f"{path}, line {header_line}: coder names repeat in the header")
    if len(coders) < 2:
        raise CliError(f"{path}: needs at least two coder columns (found {len(coders)})")
    matrix: list[list] = [[] for _ in coders]
    for line, row in body:
        if len(row) != len(coders):
            raise CliError(
                f"{path}, line {line}: {len(row)} cells, but the header names {len(coders)} coders"
            )
        for j, cell in enumerate(row):
            matrix[j].append(_value(cell, level, path, line, j + 1, coders[j]))
    return coders, matrix


def _parse(fh, path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(fh, strict=True)
    rows = []
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row) and len(row) <= 1:
                continue  # a blank line
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise CliError(f"{path}, line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _value(cell: str, level: str, path: Path, line: int, column: int, coder: str):
    text = cell.strip()
    if not text:
        return None
    if level == "nominal":
        return text
    try:
        number = float(text)
    except ValueError:
        raise CliError(
            f"{path}, line {line}, column {column} ({coder}): {text!r} is not a number "
            f"(the {level} level needs numbers)"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CliError(f"{path}, line {line}, column {column} ({coder}): {text!r} is not finite")
    if level == "ratio" and number < 0:
        raise CliError(
            f"{path}, line {line}, column {column} ({coder}): {text} is negative "
            "(the ratio level needs values >= 0)"
        )
    return int(number) if number.is_integer() else number


def _run_table(args) -> int:
    path = Path(args.table)
    coders, matrix = read_table(path, args.level)
    result = reliability(matrix, args.level, coders=coders)
    if args.json:
        print(json.dumps(result.to_dict()))
    elif args.csv:
        print(_table_csv(result), end="")
    else:
        print(_table_text(result, path))
    return 0


def _table_text(r: Reliability, path: Path) -> str:
    lines = [
        f"{path.name}: {r.units} units, {len(r.coders)} coders ({', '.join(r.coders)}), "
        f"{r.values} values, {r.pairable_values} pairable values in {r.pairable_units} units",
        "",
    ]
    width = max(len(t) for t in TITLES.values())
    for measure in MEASURES:
        c = getattr(r, measure)
        value = format_value(measure, c.value)
        if c.value is None:
            detail = c.note
        elif measure == "krippendorff_alpha":
            detail = f"{r.level}; {c.pairable_values} pairable values in {c.units} units"
        elif measure == "percent_agreement":
            detail = f"pairwise; {c.pairable_values} pairable values in {c.units} units"
        else:
            detail = f"{c.units} units"
        lines.append(f"{TITLES[measure]:<{width}}  {value:>8}  ({detail})")
    return "\n".join(lines)


def _table_csv(r: Reliability) -> str:
    rows = [["measure", "value", "units", "pairable_values", "note"]]
    for measure in MEASURES:
        c = getattr(r, measure)
        rows.append([measure, "" if c.value is None else f"{c.value:.6f}", c.units,
                     c.pairable_values, c.note])  # fmt: skip
    return "".join(",".join(_csv_cell(v) for v in row) + "\n" for row in rows)


def _csv_cell(value) -> str:
    text = str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(ch in text for ch in ',"\n') else text


# --- a project -------------------------------------------------------------------------------


def _run_project(args) -> int:
    coders = [c.strip() for c in (args.coders or "").split(",") if c.strip()]
    if len(coders) < 2:
        raise CliError("agreement: name at least two coders with --coders a,b")
    try:
        from desktop.services.review.agreement import project_agreement
    except ImportError as exc:  # the service is written after this command
        raise CliError(f"agreement over a project is not available yet ({exc})") from None
    from desktop.cli.common import open_project

    with open_project(args.project) as project:
        report = project_agreement(
            project,
            coders=coders,
            unit=args.unit,
            codes=args.codes,
            documents=args.documents,
            exclusive=args.exclusive,
        )
        project_name = project.name
    if args.html:
        _write_html(Path(args.html), report, project_name, args.codes)
    if args.json:
        print(report.to_json())
    elif args.csv:
        print(report.to_csv(), end="")
    else:
        print(_report_text(report))
    return 0


def _write_html(path: Path, report, project_name: str, codes: list[str] | None) -> None:
    from desktop.core.agreement.html_report import render_html, write_report

    page = render_html(report, project=project_name, codes=codes)
    try:
        write_report(path, page)
    except OSError as exc:
        raise CliError(f"{path}: cannot write the HTML report ({exc.strerror or exc})") from None


def _report_text(report) -> str:
    head = f"Agreement of {', '.join(report.coders)} by {report.unit} units"
    if not report.rows:
        return head + ": no codings by these coders in these documents"
    header = ["code", "document", "units", "coded", "%agree", "pi", "kappa", "Fleiss", "alpha"]
    body = []
    for r in report.rows:
        body.append([r.code, r.document or "(all)", str(r.units), str(r.coded_by_any),
                     *[format_value(m, r.value(m)) for m in MEASURES]])  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [head, ""]
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines += [
        "",
        "units: units of analysis; coded: units that at least one coder coded (the others",
        "count as agreements in %agree). n/a: does not apply or undefined (--json says why).",
    ]
    return "\n".join(lines)
