"""``tessera agreement``: inter-coder agreement on a CSV table of reliability data, or
over a project's codings.

    tessera agreement --table FILE.csv [--level nominal|ordinal|interval|ratio] [--json|--csv]
    tessera agreement PROJECT [--coders a,b[,c]] [--unit char|word|sentence] [--codes PATH...]
                      [--documents NAME...] [--exclusive PATH...] [--json|--csv]
                      [--html FILE.html] [--sentence-locale LOCALE]

The table: one row per unit, one column per coder, a header row of coder names; an empty
cell is a missing value. Nominal values may be any text; the other levels need numbers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from desktop.cli.common import CliError
from desktop.core import wording
from desktop.core.agreement import LEVELS, MEASURES, UNIT_KINDS, Reliability, format_value
from desktop.core.agreement.coefficients import EXTRA_MEASURES
from desktop.core.agreement.measures import reliability
from desktop.core.agreement.report import MEASURE_TITLES

TITLES = MEASURE_TITLES


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
    p.add_argument("--coders", metavar="A,B[,C]",
                   help="with PROJECT: the coders to compare (default: the project's two coders)")  # fmt: skip
    p.add_argument("--unit", choices=UNIT_KINDS, default="char",
                   help="with PROJECT: unit of analysis (default: char)")  # fmt: skip
    p.add_argument("--codes", nargs="+", metavar="PATH",
                   help="with PROJECT: codes (default: those the coders used)")  # fmt: skip
    p.add_argument("--documents", nargs="+", metavar="NAME",
                   help="with PROJECT: documents (default: those the coders coded)")  # fmt: skip
    p.add_argument("--exclusive", nargs="+", metavar="PATH",
                   help="with PROJECT: a set of mutually exclusive codes, also reported as one variable")  # fmt: skip
    p.add_argument("--none-as-value", action="store_true",
                   help="with --exclusive: a unit a coder gave no code of the set has the value "
                        "'(none)' (default: missing, i.e. agreement given that both coded)")  # fmt: skip
    p.add_argument("--coded-stretches", choices=("sentence", "paragraph"),
                   help="with PROJECT: count only the units inside a sentence or paragraph that "
                        "holds a coding of the code by any coder (default: every unit)")  # fmt: skip
    p.add_argument("--sentence-locale", metavar="LOCALE",
                   help="with PROJECT: cut sentences by the ICU rules of LOCALE in this project "
                        "from now on (stored in the project, used by every report and the "
                        "review; e.g. en@ss=standard: no break after Mr.; root: the default)")  # fmt: skip
    p.add_argument("--segments-match", type=float, metavar="X",
                   help="with PROJECT: also match codings as MAXQDA does: two coders' codings "
                        "of a code match when their overlap is at least X %% of the span "
                        "from the first start to the last end")  # fmt: skip
    p.add_argument("--unitizing", action="store_true",
                   help="with PROJECT: also Krippendorff's unitizing alpha per code, document "
                        "and pooled, on the codings' own offsets (no units)")  # fmt: skip
    p.add_argument("--id-column", metavar="NAME",
                   help="with --table: the column of unit IDs (default: the first column "
                        "when named unit/id/item/case or all its values are distinct; "
                        "'' for none)")  # fmt: skip
    p.add_argument("--order", metavar="LOW,MID,HIGH",
                   help="with --table: the labels in order, for ordinal data given as words")  # fmt: skip
    p.add_argument("--bootstrap", type=int, metavar="N",
                   help="bootstrap N samples of alpha: interval and q = P(alpha < minimum)")  # fmt: skip
    p.add_argument(
        "--seed", type=int, metavar="S", help="seed of the bootstrap (same seed, same interval)"
    )
    p.add_argument("--minimum", type=float, nargs="+", default=[0.667, 0.8], metavar="ALPHA",
                   help="minimums for q with --bootstrap (default: 0.667 0.8)")  # fmt: skip
    p.add_argument("--segments", metavar="FILE.csv",
                   help="unitizing alpha of segments on a continuum: rows coder,start,end,"
                        "category with [start, end) on [B, B+L) (needs --length)")  # fmt: skip
    p.add_argument(
        "--length", type=int, metavar="L", help="with --segments: the continuum's length"
    )
    p.add_argument("--begin", type=int, default=0, metavar="B",
                   help="with --segments: where the continuum begins (default 0)")  # fmt: skip
    p.add_argument("--by-document", action="store_true",
                   help="with PROJECT: also one row per document and code (default: pooled "
                        "rows per code only); with --csv the rows are written as computed")  # fmt: skip
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--html", metavar="FILE.html",
                   help="with PROJECT: also write a readable HTML report (settings, chart of "
                        "alpha per code, tables) to FILE.html")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.segments:
        if args.table or args.project:
            raise CliError(
                "agreement: give --segments FILE.csv alone, without --table or a PROJECT"
            )
        return _run_segments(args)
    if args.table and args.project:
        raise CliError("agreement: give either --table FILE.csv or a PROJECT, not both")
    if args.table:
        extra = [f"--{name.replace('_', '-')}" for name in
                 ("coders", "codes", "documents", "exclusive", "html", "none_as_value",
                  "coded_stretches", "segments_match", "unitizing", "by_document",
                  "sentence_locale")
                 if getattr(args, name)]  # fmt: skip
        if extra:
            raise CliError(f"agreement: {', '.join(extra)} only apply to a PROJECT")
        return _run_table(args)
    if args.project:
        return _run_project(args)
    raise CliError("agreement: give --table FILE.csv or a PROJECT (see tessera agreement --help)")


# --- a table of reliability data ------------------------------------------------------------


def read_table(path: Path, level: str, id_column: str | None = None, order=None):
    """The table (coders, coders x units matrix, notes on how it was read)."""
    from desktop.core.agreement.table import TableError
    from desktop.core.agreement.table import read_table as read

    try:
        return read(path, level, id_column=id_column, order=order)
    except TableError as exc:
        raise CliError(str(exc)) from None


def _run_table(args) -> int:
    from desktop.core.agreement import ReliabilityData

    path = Path(args.table)
    order = [x.strip() for x in args.order.split(",") if x.strip()] if args.order else None
    table = read_table(path, args.level, args.id_column, order)
    build_level = "ordinal" if order and args.level == "nominal" else args.level
    data = ReliabilityData.from_matrix(table.matrix, level=build_level, coders=table.coders)
    result = reliability(data, args.level)
    boot = _bootstrap(args, data, args.level)
    if args.json:
        out = result.to_dict()
        out["notes"] = table.notes
        if boot is not None:
            out["bootstrap"] = boot.to_dict()
        print(json.dumps(out))
    elif args.csv:
        print(_table_csv(result), end="")
    else:
        text = _table_text(result, path)
        if table.notes:
            text += "\n\nRead: " + "; ".join(table.notes) + "."
        if boot is not None:
            text += "\n" + _bootstrap_text(boot)
        print(text)
    return 0


def _bootstrap(args, data, level):
    if not args.bootstrap:
        return None
    from desktop.core.agreement.bootstrap import bootstrap_alpha

    if args.bootstrap < 1:
        raise CliError("agreement: --bootstrap needs a positive number of samples")
    return bootstrap_alpha(data, level, samples=args.bootstrap, seed=args.seed,
                           minimums=args.minimum)  # fmt: skip


def _bootstrap_text(b) -> str:
    if b.low is None:
        return f"Bootstrap: {b.note}"
    qs = ", ".join(f"q(alpha < {m:g}) = {wording.number(q)}" for m, q in b.below.items())
    seed = f", seed {b.seed}" if b.seed is not None else ""
    return (
        f"Bootstrap ({b.samples} samples{seed}): alpha {wording.number(b.alpha)}, "
        f"{100 * b.confidence:g} % interval [{wording.number(b.low)}, {wording.number(b.high)}]; {qs}"
    )


def _table_text(r: Reliability, path: Path) -> str:
    lines = [
        f"{path.name}: {r.units} units, {len(r.coders)} coders ({', '.join(r.coders)}), "
        f"{r.values} values, {r.pairable_values} pairable values in {r.pairable_units} units",
        "",
    ]
    width = max(len(t) for t in TITLES.values())
    for measure in (*MEASURES, *EXTRA_MEASURES):
        c = getattr(r, measure)
        if c is None:
            continue
        value = format_value(measure, c.value)
        if c.value is None:
            detail = c.note
        elif measure == "krippendorff_alpha":
            detail = f"{r.level}; {c.pairable_values} pairable values in {c.units} units"
        elif measure == "percent_agreement":
            detail = f"pairwise; {c.pairable_values} pairable values in {c.units} units"
        elif measure in ("bennett_s", "gwet_ac1", "gwet_ac2"):
            detail = f"chance {wording.number(c.expected)}; {c.units} units with 2+ values"
        else:
            detail = f"{c.units} units"
        lines.append(f"{TITLES[measure]:<{width}}  {value:>8}  ({detail})")
    if r.pairwise_kappa is not None:
        names = r.pairwise_kappa["coders"]
        w = max(len(n) for n in names)
        lines += ["", "Cohen's kappa, each pair of coders (units both coded):"]
        lines.append(" " * w + "  " + "  ".join(f"{n:>8}" for n in names))
        for name, row in zip(names, r.pairwise_kappa["matrix"], strict=True):
            lines.append(f"{name:<{w}}  " + "  ".join(f"{format_value('k', v):>8}" for v in row))
    return "\n".join(lines)


def _table_csv(r: Reliability) -> str:
    rows = [["measure", "value", "units", "pairable_values", "note"]]
    for measure in (*MEASURES, *EXTRA_MEASURES):
        c = getattr(r, measure)
        if c is None:
            continue
        rows.append([measure, "" if c.value is None else wording.number(c.value, 6), c.units,
                     c.pairable_values, c.note])  # fmt: skip
    return "".join(",".join(_csv_cell(v) for v in row) + "\n" for row in rows)


def _csv_cell(value) -> str:
    text = str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(ch in text for ch in ',"\n') else text


# --- segments on a continuum ----------------------------------------------------------------


def read_segments(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """coder -> (start, end, category) from a CSV with header coder,start,end,category."""
    from desktop.core.csvio import CsvFormatError, CsvReader

    if not path.exists():
        raise CliError(f"{path}: no such file")
    segments: dict[str, list[tuple[int, int, str]]] = {}
    try:
        with CsvReader(path) as reader:
            reader.require("coder", "start", "end", "category")
            cols = [reader.index(n) for n in ("coder", "start", "end", "category")]
            for line, row in reader:
                try:
                    coder, start, end, category = (row[i].strip() for i in cols)
                except IndexError:
                    raise CliError(f"{path}, line {line}: fewer cells than the header") from None
                try:
                    a, b = int(start), int(end)
                except ValueError:
                    raise CliError(f"{path}, line {line}: start and end must be whole numbers "
                                   f"({start!r}, {end!r})") from None  # fmt: skip
                if not coder:
                    raise CliError(f"{path}, line {line}: no coder")
                segments.setdefault(coder, []).append((a, b, category))
    except CsvFormatError as exc:
        raise CliError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not a text file we can read ({exc.reason})") from None
    return segments


def _run_segments(args) -> int:
    from desktop.core.agreement.unitizing import UnitizingError, unitizing_alpha

    if args.length is None:
        raise CliError("agreement: --segments needs --length L (the continuum's length)")
    path = Path(args.segments)
    segments = read_segments(path)
    try:
        result = unitizing_alpha(segments, args.length, args.begin)
    except UnitizingError as exc:
        raise CliError(f"{path}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    lines = [
        f"{path.name}: {result.segments} segments by {len(result.coders)} coders "
        f"({', '.join(result.coders)}) on [{result.begin}, {result.begin + result.length})",
        "",
    ]
    for key, title in (("u_alpha", "_u alpha (all values and gaps)"),
                       ("u_alpha_binary", "|_u alpha (coded vs not coded)"),
                       ("cu_alpha", "_cu alpha (values where coded)"),
                       ("Cu_alpha", "Cu alpha (domains where coded)")):  # fmt: skip
        value = getattr(result, key)
        lines.append(f"{title:<32} {format_value('a', value):>6}"
                     + (f"  ({result.notes[key]})" if key in result.notes else ""))  # fmt: skip
    lines += ["", "Per category (Krippendorff 1995/2004):  alpha    D_o     D_e   |_u alpha"]
    for cat, c in result.per_category.items():
        lines.append(f"  {str(cat):<36} {format_value('a', c.u_alpha):>6}  {wording.number(c.observed_disagreement, 4)}"
                     f"  {wording.number(c.expected_disagreement, 4)}  {format_value('a', c.u_alpha_binary):>6}")  # fmt: skip
    print("\n".join(lines))
    return 0


# --- a project -------------------------------------------------------------------------------


def _run_project(args) -> int:
    coders = [c.strip() for c in (args.coders or "").split(",") if c.strip()]
    if args.sentence_locale is not None:
        _set_sentence_locale(args.project, args.sentence_locale)
        if args.coders is None:
            return 0
    if args.coders is not None and len(coders) < 2:
        raise CliError("agreement: name at least two coders with --coders a,b")
    try:
        from desktop.services.review.agreement import project_agreement
    except ImportError as exc:  # the service is written after this command
        raise CliError(f"agreement over a project is not available yet ({exc})") from None
    from desktop.cli.common import open_project

    # per-document rows go straight to stdout as CSV when nothing else needs them
    stream = args.by_document and args.csv and not (args.html or args.bootstrap)
    writer = _RowWriter() if stream else None
    with open_project(args.project) as project:
        if not coders:
            coders = _the_two_coders(project)
        if writer is not None:
            from desktop.services.review.units import project_units

            writer.segmentation = project_units(project).record(args.unit, args.coded_stretches)
        report = project_agreement(
            project,
            coders=coders,
            unit=args.unit,
            codes=args.codes,
            documents=args.documents,
            exclusive=args.exclusive,
            none_as_value=args.none_as_value,
            coded_stretches=args.coded_stretches,
            by_document=args.by_document,
            document_rows=writer.row(coders, args.unit) if writer else None,
        )
        project_name = project.name
        extra = _project_extras(args, project, coders)
    if args.bootstrap:
        from dataclasses import replace

        from desktop.services.review.agreement import project_bootstrap

        if args.bootstrap < 1:
            raise CliError("agreement: --bootstrap needs a positive number of samples")
        boot = project_bootstrap(report, samples=args.bootstrap, seed=args.seed,
                                 minimums=args.minimum)  # fmt: skip
        report = replace(report, bootstrap=boot)
    if args.html:
        _write_html(Path(args.html), report, project_name, args.codes)
    if args.json:
        out = report.to_dict()
        out.update(extra)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif writer is not None:
        writer.finish(report)
    elif args.csv:
        print(report.to_csv(), end="")
    else:
        text = _report_text(report)
        if report.bootstrap:
            text += "\n\n" + "\n".join(
                f"{code}: {_bootstrap_text(b)}" for (code, _), b in report.bootstrap.items()
            )
        if "unitizing" in extra:
            text += "\n\n" + _unitizing_text(extra["unitizing"])
        if "segments_match" in extra:
            text += "\n\n" + _segments_text(extra["segments_match"])
        print(text)
    return 0


def _set_sentence_locale(path: str, locale: str) -> None:
    from desktop.cli.common import err, open_project
    from desktop.services.errors import ServiceError
    from desktop.services.review.units import set_sentence_locale

    with open_project(path) as project:
        try:
            units = set_sentence_locale(project, locale)
        except ServiceError as exc:
            raise CliError(f"agreement: --sentence-locale: {exc}") from None
    err(f"{path}: sentences are cut by the ICU rules of "
        f"{units.segmenter.locale or 'root'} from now on (stored in the project)")  # fmt: skip


class _RowWriter:
    """Writes agreement rows as CSV lines as they come, in the format of ``to_csv``
    (per-document rows first, pooled rows at the end)."""

    def __init__(self) -> None:
        self.started = False
        self.segmentation: dict = {}

    def row(self, coders: list[str], unit: str):
        from desktop.core.agreement import Report

        def write(row) -> None:
            text = Report(unit=unit, coders=tuple(coders), documents=(), rows=[row],
                          segmentation=self.segmentation).to_csv()  # fmt: skip
            header, line = text.split("\n", 1)
            if not self.started:
                print(header)
                self.started = True
            print(line, end="", flush=False)

        return write

    def finish(self, report) -> None:
        header, lines = report.to_csv().split("\n", 1)
        if not self.started:
            print(header)
        print(lines, end="")


def _the_two_coders(project) -> list[str]:
    """Without --coders: the project's two coders (or the two who coded, when others
    have no codings), said on stderr; with more, or fewer, the ones there are named."""
    from desktop.cli.common import err
    from desktop.services.teams.coders import list_coders

    known = list_coders(project)
    for names in ([c.name for c in known], [c.name for c in known if c.codings]):
        if len(names) == 2:
            err(f"agreement: comparing the project's two coders, {names[0]} and {names[1]}")
            return names
    if len(known) < 2:
        raise CliError(f"agreement: the project has {wording.count(len(known), 'coder')}; "
                       "agreement needs two or more")  # fmt: skip
    listed = ", ".join(c.name for c in known)
    raise CliError(f"agreement: the project has {wording.count(len(known), 'coder')} "
                   f"({listed}): name those to compare with --coders a,b")  # fmt: skip


def _project_extras(args, project, coders) -> dict:
    from desktop.services.errors import ServiceError
    from desktop.services.review.agreement import project_segment_matching, project_unitizing

    extra: dict = {}
    try:
        if args.unitizing:
            rows = project_unitizing(project, coders=coders, codes=args.codes,
                                     documents=args.documents)  # fmt: skip
            extra["unitizing"] = [r.to_dict() for r in rows]
        if args.segments_match is not None:
            match = project_segment_matching(project, coders=coders, threshold=args.segments_match,
                                             codes=args.codes, documents=args.documents)  # fmt: skip
            extra["segments_match"] = match.to_dict()
    except ServiceError as exc:
        raise CliError(f"agreement: {exc}") from None
    return extra


def _unitizing_text(rows: list[dict]) -> str:
    lines = ["Unitizing alpha on the codings' offsets (Krippendorff 1995/2004 per code; "
             "|u: 2016 binary):", f"{'code':<30} {'document':<24} {'alpha':>7} {'|u':>7}"]  # fmt: skip
    for r in rows:
        lines.append(f"{r['code']:<30} {r['document'] or '(all)':<24} "
                     f"{format_value('a', r['u_alpha']):>7} {format_value('a', r['u_alpha_binary']):>7}")  # fmt: skip
    return "\n".join(lines)


def _segments_text(match: dict) -> str:
    a, b = match["coders"]
    lines = [f"Segment matching (MAXQDA): overlap >= {match['threshold_percent']:g} %",
             f"{'code':<30} {'document':<24} {'matched':>7} {'only ' + a:>10} "
             f"{'only ' + b:>10} {'%agree':>7} {'kappa':>6}"]  # fmt: skip
    for r in match["rows"]:
        lines.append(f"{r['code'] or '(all codes)':<30} {r['document'] or '(all)':<24} "
                     f"{r['matched']:>7} {r['only_a']:>10} {r['only_b']:>10} "
                     f"{format_value('percent_agreement', r['percent_agreement']):>7} "
                     f"{format_value('k', r['kappa']):>6}")  # fmt: skip
    lines += ["", "Passage by passage:"]
    for p in match["passages"]:
        sa = f"[{p['a'][0]}, {p['a'][1]})" if p["a"] else "-"
        sb = f"[{p['b'][0]}, {p['b'][1]})" if p["b"] else "-"
        state = f"match {p['overlap_percent']:.0f} %" if p["a"] and p["b"] else "no match"
        lines.append(f"  {p['document']}  {p['code']}  {a}: {sa}  {b}: {sb}  {state}")
    lines.append(match["definition"])
    return "\n".join(lines)


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
    header = ["code", "document", "units", "coded", "%agree", "pi", "kappa", "Fleiss", "alpha",
              "S", "AC1"]  # fmt: skip
    shown = (*MEASURES, "bennett_s", "gwet_ac1")
    body = []
    for r in report.rows:
        body.append([r.code, r.document or "(all)", str(r.units), str(r.coded_by_any),
                     *[format_value(m, r.value(m)) for m in shown]])  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [head, ""]
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines += [
        "",
        "units: units of analysis; coded: units that at least one coder coded (the others",
        "count as agreements in %agree). S: Bennett's S; AC1: Gwet's AC1. n/a: does not",
        "apply or undefined (--json says why).",
        *report.choices,
    ]
    return "\n".join(lines)
