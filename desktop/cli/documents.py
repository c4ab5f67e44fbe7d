"""tessera documents list | show | set | delete | original"""

from __future__ import annotations

import argparse

from desktop.cli.common import CliError, open_project, project_arg
from desktop.core import limits, wording
from desktop.services.documents import documents, originals
from desktop.services.errors import ConfirmationNeeded


def register(sub: argparse._SubParsersAction) -> None:
    docs = sub.add_parser("documents", help="the project's documents and their metadata")
    dsub = docs.add_subparsers(dest="documents_command", metavar="ACTION", required=True)

    p = dsub.add_parser("list", help="one line per document")
    p.add_argument("project", type=project_arg)
    p.add_argument(
        "--where", help='only documents a filter selects, e.g. "outlet = Reuters and date in 2018"'
    )
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
    p.add_argument("--attr", action="append", metavar="NAME=VALUE",
                   help="an attribute's value (repeatable; an empty VALUE clears it)")  # fmt: skip
    p.set_defaults(func=cmd_set)

    p = dsub.add_parser("delete", help="remove a document (and, with --yes, its codings)")
    p.add_argument("project", type=project_arg)
    p.add_argument("document", help="name or sha256")
    p.add_argument("--yes", action="store_true", help="also delete the document's codings")
    p.set_defaults(func=cmd_delete)

    p = dsub.add_parser(
        "original", help="write the file a document was imported from (its PDF, Word file...)"
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("document", help="name or sha256")
    p.add_argument("out", help="the file to write, or a folder to write it into under its own name")
    p.set_defaults(func=cmd_original)


def _find(project, key: str) -> documents.DocumentInfo:
    doc = documents.find_document(project, key)
    if doc is None:
        raise CliError(f"no document named {key!r} (nor with that sha256)")
    return doc


def cmd_list(args) -> int:
    with open_project(args.project) as project:
        docs = documents.list_documents(project)
        if args.where:
            from desktop.services.documents.filter import DocumentFilter

            wanted = set(DocumentFilter.parse(args.where).document_ids(project))
            docs = [d for d in docs if d.id in wanted]
    for d in docs:
        pages = f"{d.pages} p." if d.pages else ""
        print(
            f"{d.name}\t{d.kind}\t{d.length} chars\t{pages}\t{d.codings} codings\t{d.title or ''}"
        )
    return 0


def cmd_show(args) -> int:
    with open_project(args.project) as project:
        d = _find(project, args.document)
        text = documents.get_text(project, d.id) if args.text else None
        from desktop.services.documents import attributes

        values = attributes.values_of(project, d.id)
        original = originals.info_of(project, d.id)
    for key in (
        "name",
        "kind",
        "sha256",
        "length",
        "pages",
        "codings",
        *documents.METADATA_FIELDS,
        "source_path",
    ):
        print(f"{key:<12} {getattr(d, key) if getattr(d, key) is not None else ''}")
    if original is not None:
        print(
            f"{'original':<12} {original.name} ({limits.size(original.size)}, sha256 {original.sha256})"
        )
    for key, value in values.items():
        if key not in documents.METADATA_FIELDS:
            print(f"{key:<12} {value}")
    for note in (d.import_notes or "").splitlines():
        print(f"{'import note':<12} {note}")
    if text is not None:
        print()
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


def cmd_set(args) -> int:
    values = {
        k: getattr(args, k)
        for k in ("name", *documents.METADATA_FIELDS)
        if getattr(args, k) is not None
    }
    from desktop.cli.study import _values

    attrs = _values(args.attr)
    if not values and not attrs:
        raise CliError(
            "nothing to change: give --title, --author, --date, --source, --url, --name or --attr NAME=VALUE"
        )
    with open_project(args.project) as project:
        d = _find(project, args.document)
        if values:
            documents.update_metadata(project, d.id, **values)
        if attrs:
            from desktop.services.documents import attributes

            attributes.set_values(project, d.id, attrs)
    values.update(attrs)
    print(f"updated {d.name}: " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
    return 0


def cmd_delete(args) -> int:
    with open_project(args.project) as project:
        d = _find(project, args.document)
        try:
            n = documents.delete_document(project, d.id, confirm_codings=args.yes)
        except ConfirmationNeeded as exc:
            raise CliError(f"{exc}; add --yes to delete them") from exc
    print(f"deleted {d.name} ({wording.count(n, 'coding')} with it)")
    return 0


def cmd_original(args) -> int:
    with open_project(args.project) as project:
        d = _find(project, args.document)
        written = originals.save_original(project, d.id, args.out)
    print(f"wrote {written.name} ({limits.size(written.size)}, the original of {d.name})")
    return 0
