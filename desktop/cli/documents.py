"""tessera documents list | show | set | delete"""

from __future__ import annotations

import argparse

from desktop.cli.common import CliError, open_project, project_arg
from desktop.services.documents import documents
from desktop.services.errors import ConfirmationNeeded


def register(sub: argparse._SubParsersAction) -> None:
    docs = sub.add_parser("documents", help="the project's documents and their metadata")
    dsub = docs.add_subparsers(dest="documents_command", metavar="ACTION", required=True)

    p = dsub.add_parser("list", help="one line per document")
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=cmd_list)

    p = dsub.add_parser("show", help="a document's metadata (and its text with --text)")
    p.add_argument("project", type=project_arg)
    p.add_argument("document", help="name or sha256")
    p.add_argument("--text", action="store_true", help="print the stored text too")
    p.set_defaults(func=cmd_show)

    p = dsub.add_parser("set", help="edit a document's name or metadata")
    p.add_argument("project", type=project_arg)
    p.add_argument("document", help="name or sha256")
    for key in ("name", *documents.METADATA_FIELDS):
        p.add_argument(f"--{key}", help=f"new {key} (empty string clears it)")
    p.set_defaults(func=cmd_set)

    p = dsub.add_parser("delete", help="remove a document (and, with --yes, its codings)")
    p.add_argument("project", type=project_arg)
    p.add_argument("document", help="name or sha256")
    p.add_argument("--yes", action="store_true", help="also delete the document's codings")
    p.set_defaults(func=cmd_delete)


def _find(project, key: str) -> documents.DocumentInfo:
    doc = documents.find_document(project, key)
    if doc is None:
        raise CliError(f"no document named {key!r} (nor with that sha256)")
    return doc


def cmd_list(args) -> int:
    with open_project(args.project) as project:
        docs = documents.list_documents(project)
    for d in docs:
        pages = f"{d.pages} p." if d.pages else ""
        print(f"{d.name}\t{d.kind}\t{d.length} chars\t{pages}\t{d.codings} codings\t{d.title or ''}")
    return 0


def cmd_show(args) -> int:
    with open_project(args.project) as project:
        d = _find(project, args.document)
        text = documents.get_text(project, d.id) if args.text else None
    for key in ("name", "kind", "sha256", "length", "pages", "codings", *documents.METADATA_FIELDS, "source_path"):
        print(f"{key:<12} {getattr(d, key) if getattr(d, key) is not None else ''}")
    if text is not None:
        print()
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


def cmd_set(args) -> int:
    values = {k: getattr(args, k) for k in ("name", *documents.METADATA_FIELDS) if getattr(args, k) is not None}
    if not values:
        raise CliError("nothing to change: give --title, --author, --date, --source, --url or --name")
    with open_project(args.project, actor="cli") as project:
        d = _find(project, args.document)
        documents.update_metadata(project, d.id, **values)
    print(f"updated {d.name}: " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
    return 0


def cmd_delete(args) -> int:
    with open_project(args.project, actor="cli") as project:
        d = _find(project, args.document)
        try:
            n = documents.delete_document(project, d.id, confirm_codings=args.yes)
        except ConfirmationNeeded as exc:
            raise CliError(f"{exc}; add --yes to delete them") from exc
    print(f"deleted {d.name} ({n} coding(s) with it)")
    return 0
