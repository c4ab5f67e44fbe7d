"""tessera export | codings import"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from desktop.cli.common import CliError, ProgressBar, err, open_project, project_arg
from desktop.core import wording
from desktop.services.exchange import csv_import, exchange

WHAT = tuple(exchange.FORMATS)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export codings, documents, the codebook or code frequencies",
        description="Write CSV (UTF-8, RFC 4180) to standard output or to -o FILE. "
        "With --what documents --format txt, -o names a folder that receives each "
        "document's text as a UTF-8 file.",
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("--what", required=True, choices=WHAT)
    p.add_argument("--format", default="csv", choices=("csv", "txt", "qdc", "html", "taguette"),
                   help="csv (default); txt for document texts; qdc, html or taguette (a CSV "
                        "Taguette imports) for the codebook")  # fmt: skip
    p.add_argument("-o", "--output", type=Path, help="file (or folder, for texts); default: stdout")
    p.add_argument("--by", choices=("document", "coder"),
                   help="frequencies: one column per document (default) or per coder")  # fmt: skip
    p.add_argument("--excel", action="store_true",
                   help="a CSV for Excel or LibreOffice: a UTF-8 byte order mark (accents shown right) "
                        "and text that would start a formula (= + - @ tab CR) prefixed with '")  # fmt: skip
    p.set_defaults(func=cmd_export)

    codings = sub.add_parser("codings", help="codings: import from CSV")
    csub = codings.add_subparsers(dest="codings_command", metavar="ACTION", required=True)
    p = csub.add_parser(
        "import",
        help="import codings from a CSV file (all rows or none)",
        description="Columns: document, code, coder, start, end (required; any order), "
        "memo, text, created_at, updated_at and 'Code path: field' (optional). Every row "
        "is checked first; if any is wrong, each problem is listed with its line and "
        "nothing is stored.",
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("file", type=Path)
    p.add_argument("--create-missing", action="store_true",
                   help="add codes and coders the file names but the project lacks")  # fmt: skip
    p.add_argument("--coder", metavar="NAME",
                   help="coder for rows whose coder is empty (or when there is no coder column)")  # fmt: skip
    p.set_defaults(func=cmd_codings_import)


@contextmanager
def _stdout_binary():
    """Standard output as bytes, so CSV line ends and UTF-8 pass through untranslated."""
    sys.stdout.flush()
    yield getattr(sys.stdout, "buffer", sys.stdout)
    sys.stdout.flush()


def cmd_export(args) -> int:
    what, fmt, out = args.what, args.format, args.output
    if fmt not in exchange.FORMATS[what]:
        raise CliError(
            f"--what {what} can be written as {' or '.join(exchange.FORMATS[what])}, not {fmt}"
        )
    if what == "documents" and fmt == "txt":
        if out is None:
            raise CliError("--format txt writes one file per document: give a folder with -o DIR")
        with open_project(args.project) as project:
            files = exchange.export_document_texts(project, out)
        print(f"wrote {wording.count(len(files), 'text file')} to {out}")
        return 0
    if out is not None and out.is_dir():
        raise CliError(f"{out} is a folder; give a file name with -o")
    with open_project(args.project) as project:
        if out is None:
            with _stdout_binary() as stream:
                _export(project, what, fmt, stream, args.excel, None, args.by)
            return 0
        bar = ProgressBar("exporting")
        try:
            count = _export(project, what, fmt, out, args.excel, bar.update, args.by)
        finally:
            bar.close()
    noun = {"codings": "coding", "documents": "document", "codebook": "code",
            "frequencies": "code row"}.get(what)  # fmt: skip
    print(
        f"exported {wording.count(count, noun)} to {out}"
        if noun and count is not None
        else f"wrote {out}"
    )
    return 0


def _export(project, what: str, fmt: str, out, excel: bool, progress, by: str | None = None):
    if what == "codings":
        return exchange.export_codings(project, out, excel=excel, progress=progress)
    if what == "documents":
        return exchange.export_documents(project, out, excel=excel)
    if what == "codebook":
        return exchange.export_codebook(project, out, fmt, excel=excel)
    return exchange.export_frequencies(project, out, fmt, excel=excel, by=by)


def cmd_codings_import(args) -> int:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    with open_project(args.project, actor=args.coder or "") as project:
        bar = ProgressBar("checking")
        try:
            report = csv_import.import_codings_csv(
                project, args.file, create_missing=args.create_missing,
                default_coder=args.coder, progress=bar.update,
            )  # fmt: skip
        except csv_import.CodingsImportRefused as exc:
            bar.close()
            for warning in exc.report.warnings:
                err(f"warning: {warning}")
            raise
        bar.close()
    for warning in report.warnings:
        err(f"warning: {warning}")
    for path in report.created_codes:
        print(f"added code {path}")
    for name in report.created_coders:
        print(f"added coder {name}")
    shown = report.skipped[:20]
    for line, why in shown:
        print(f"skipped line {line}: {why}")
    if len(report.skipped) > len(shown):
        print(f"... and {len(report.skipped) - len(shown):,} more skipped")
    print(f"imported {wording.count(report.imported, 'coding')} from {args.file}; "
          f"{wording.count(len(report.skipped), 'duplicate')} skipped")  # fmt: skip
    return 0
