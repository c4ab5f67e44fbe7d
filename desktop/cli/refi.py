"""tessera refi import | export: whole projects to and from NVivo, ATLAS.ti, MAXQDA,
QualCoder and other REFI-QDA tools (.qdpx)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, ProgressBar, err, open_project, project_arg
from desktop.core import wording
from desktop.services.exchange import refi_export
from desktop.services.exchange import refi_import as refi_exchange

SHOWN = 20  # lines of each list printed before "... and N more"


def register(sub: argparse._SubParsersAction) -> None:
    refi = sub.add_parser(
        "refi",
        help="exchange whole projects with NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA .qdpx)",
    )
    rsub = refi.add_subparsers(dest="refi_command", metavar="ACTION", required=True)
    p = rsub.add_parser(
        "import",
        help="import a REFI-QDA project (.qdpx) into a project: all of it or nothing",
        description="Users become coders (same name: same coder), codes merge into the "
        "codebook by path, text sources become documents (a text already in the project "
        "is matched by its content), and their coded selections become codings "
        "(duplicates skipped). Everything is stored in one step: if anything fails, the "
        "project is left as it was. Non-text sources are skipped with a warning.",
    )
    p.add_argument("project", type=project_arg, metavar="PROJECT", help="the Tessera project file")
    p.add_argument(
        "file", type=Path, metavar="FILE.qdpx",
        help="the REFI-QDA project (or a lone .qde: its codebook and users only)",
    )  # fmt: skip
    p.add_argument(
        "--add-codes",
        action="store_true",
        help="add the codes the file has and the project lacks (without it such a file "
        "is refused and the missing codes listed)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what would come in, without storing anything",
    )
    p.set_defaults(func=cmd_import)

    p = rsub.add_parser(
        "export",
        help="export the project as a REFI-QDA project (.qdpx)",
        description="Writes coders, the codebook, every document and the codings, for "
        "NVivo, ATLAS.ti, MAXQDA, QualCoder and other REFI-QDA tools.",
    )
    p.add_argument("project", type=project_arg, metavar="PROJECT", help="the Tessera project file")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.qdpx")
    p.add_argument(
        "--coders",
        metavar="NAMES",
        help="comma-separated coder names: export only their codings (default: everyone's)",
    )
    p.set_defaults(func=cmd_export)


def _listed(label: str, items: list[str]) -> None:
    for item in items[:SHOWN]:
        print(f"{label} {item}")
    if len(items) > SHOWN:
        print(f"... and {len(items) - SHOWN:,} more")


def cmd_import(args) -> int:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    with open_project(args.project) as project:
        bar = ProgressBar("importing")
        try:
            report = refi_exchange.import_qdpx(
                project, args.file, add_codes=args.add_codes, dry_run=args.dry_run,
                progress=bar.update,
            )  # fmt: skip
        except refi_exchange.RefiImportRefused as exc:
            bar.close()
            for warning in exc.report.warnings:
                err(f"warning: {warning}")
            raise
        bar.close()
    for warning in report.warnings:
        err(f"warning: {warning}")
    if args.dry_run:
        print("dry run: nothing was stored; the import would do this:")
    _listed("skipped coding:", report.codings_skipped)
    _listed("added coder", report.coders_added)
    _listed("same coder", report.coders_matched)
    _listed("added code", report.codes_added)
    if report.codes_existing:
        print(
            f"{wording.count(len(report.codes_existing), 'code')} already in the codebook, left as they are"
        )
    _listed("added document", report.documents_added)
    _listed(
        "same document",
        [f"{file!r} is {mine!r} in the project" for file, mine in report.documents_matched],
    )
    if report.pdfs_kept:
        print(
            f"kept {wording.count(report.pdfs_kept, 'PDF')} of the file's PDF sources as originals"
        )
    for line in report.study_lines():
        print(line)
    origin = f" (written by {report.origin})" if report.origin else ""
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {report.codings_imported:,} of {wording.count(report.codings_in_file, 'coding')} from "
        f"{args.file}{origin}; {report.codings_duplicate:,} already in the project, "
        f"{len(report.codings_skipped):,} skipped" + report.skipped_selections()
    )
    return 0


def cmd_export(args) -> int:
    out: Path = args.output
    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name with -o")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    names = None
    if args.coders is not None:
        names = [n.strip() for n in args.coders.split(",") if n.strip()]
        if not names:
            raise CliError("--coders needs at least one coder name")
    with open_project(args.project) as project:
        bar = ProgressBar("exporting")
        try:
            report = refi_export.export_qdpx(project, out, coders=names, progress=bar.update)
        finally:
            bar.close()
    who = ", ".join(report.coders) or "no coder"
    print(
        f"exported {wording.count(report.documents, 'document')}, {wording.count(report.codes, 'code')} and "
        f"{wording.count(report.codings, 'coding')} by {who} to {out}"
    )
    if report.pdfs:
        print(f"  {wording.count(report.pdfs, 'document')} as a PDF source with its original PDF")
    return 0
