"""tessera attributes | sets | cases | memos: the study around the codings."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, open_project, project_arg
from desktop.core import wording
from desktop.services.errors import ConfirmationNeeded


def register(sub: argparse._SubParsersAction) -> None:
    _attributes(sub)
    _sets(sub)
    _cases(sub)
    _memos(sub)


def _help(command: str) -> str:
    from desktop.cli.main import COMMANDS

    return COMMANDS[command][1]


def _parser(sub, name: str, help_: str, func, *, document: bool = False) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_)
    p.add_argument("project", type=project_arg)
    p.set_defaults(func=func)
    return p


def _values(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise CliError(f"--attr {pair!r}: write NAME=VALUE (an empty VALUE clears it)")
        out[name.strip()] = value
    return out


def _document(project, key: str):
    from desktop.services.documents import documents

    doc = documents.find_document(project, key)
    if doc is None:
        raise CliError(f"no document named {key!r} (nor with that sha256)")
    return doc


def _code(project, path: str):
    from desktop.services.codebook import codebook

    code = codebook.find_code(project, path)
    if code is None:
        raise CliError(f"no code named {path!r}")
    return code


# -- attributes -------------------------------------------------------------------


def _attributes(sub) -> None:
    a = sub.add_parser("attributes", help=_help("attributes"))
    asub = a.add_subparsers(dest="attributes_command", metavar="ACTION", required=True)
    p = _parser(asub, "list", "the attributes, their types and how many values", attr_list)
    p.add_argument("--cases", action="store_true", help="the attributes of cases")
    p = _parser(asub, "add", "define an attribute", attr_add)
    p.add_argument("name")
    p.add_argument("--type", default="text",
                   help="text, integer, decimal, date, choice or yes/no (default text)")  # fmt: skip
    p.add_argument("--choices", help="the choices of a choice attribute, comma-separated")
    p.add_argument("--cases", action="store_true", help="an attribute of cases")
    p = _parser(asub, "rename", "rename an attribute", attr_rename)
    p.add_argument("name")
    p.add_argument("new_name")
    p.add_argument("--cases", action="store_true")
    p = _parser(asub, "delete", "delete an attribute (with --yes, its values too)", attr_delete)
    p.add_argument("name")
    p.add_argument("--cases", action="store_true")
    p.add_argument("--yes", action="store_true", help="also delete the values it has")
    p = _parser(
        asub, "export", "every document's values as CSV (one row per document)", attr_export
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.add_argument(
        "--excel", action="store_true", help="for a spreadsheet (BOM, formulas neutralised)"
    )
    p = _parser(
        asub, "import", "values from CSV (nothing is stored if any cell is wrong)", attr_import
    )
    p.add_argument("file", type=Path)


def _scope(args) -> str:
    return "case" if getattr(args, "cases", False) else "document"


def attr_list(args) -> int:
    from desktop.services.documents import attributes

    with open_project(args.project) as project:
        rows = attributes.list_attributes(project, _scope(args))
    for a in rows:
        kind = "yes/no" if a.type == "boolean" else a.type
        if a.choices:
            kind += f" ({', '.join(a.choices)})"
        print(
            f"{a.name}\t{kind}\t{wording.count(a.values, 'value')}"
            + ("\tbuilt-in" if a.builtin else "")
        )
    return 0


def attr_add(args) -> int:
    from desktop.services.documents import attributes

    choices = [c for c in (args.choices or "").split(",") if c.strip()]
    with open_project(args.project) as project:
        a = attributes.add_attribute(project, args.name, args.type, choices, _scope(args))
    print(f"added the {_scope(args)} attribute {a.name!r} ({a.type})")
    return 0


def attr_rename(args) -> int:
    from desktop.services.documents import attributes

    with open_project(args.project) as project:
        attributes.rename_attribute(project, args.name, args.new_name, _scope(args))
    print(f"renamed {args.name!r} to {args.new_name!r}")
    return 0


def attr_delete(args) -> int:
    from desktop.services.documents import attributes

    with open_project(args.project) as project:
        try:
            n = attributes.delete_attribute(project, args.name, scope=_scope(args),
                                            confirm_values=args.yes)  # fmt: skip
        except ConfirmationNeeded as exc:
            raise CliError(f"{exc}; add --yes to delete them") from exc
    print(f"deleted the attribute {args.name!r} ({wording.count(n, 'value')} with it)")
    return 0


def attr_export(args) -> int:
    import sys

    from desktop.services.documents import attributes_csv

    with open_project(args.project) as project:
        n = attributes_csv.export_attributes_csv(
            project, args.output if args.output else sys.stdout, excel=args.excel
        )
    if args.output:
        print(f"wrote {wording.count(n, 'document')} to {args.output}")
    return 0


def attr_import(args) -> int:
    from desktop.services.documents import attributes_csv

    with open_project(args.project) as project:
        report = attributes_csv.import_attributes_csv(project, args.file)
    for w in report.warnings:
        print(f"{args.file}: {w}")
    if report.problems:
        lines = "\n".join(f"  {args.file}: {p}" for p in report.problems)
        raise CliError(
            f"nothing was imported: {wording.count(len(report.problems), 'problem')}\n{lines}"
        )
    print(
        f"{wording.count(report.values, 'value')} changed in {wording.count(report.documents, 'document')}"
    )
    return 0


# -- sets -------------------------------------------------------------------------


def _sets(sub) -> None:
    a = sub.add_parser("sets", help=_help("sets"))
    asub = a.add_subparsers(dest="sets_command", metavar="ACTION", required=True)
    _parser(asub, "list", "the sets and their members", sets_list)
    p = _parser(
        asub, "add", "a new set (with --where, of the documents a filter selects)", sets_add
    )
    p.add_argument("name")
    p.add_argument("--memo", default="")
    p.add_argument("--where", help='a document filter, e.g. "outlet = Reuters and date in 2018"')
    for name, help_, func in (("include", "add documents or codes to a set", sets_include),
                              ("exclude", "take documents or codes out of a set", sets_exclude)):  # fmt: skip
        p = _parser(asub, name, help_, func)
        p.add_argument("name")
        p.add_argument(
            "--document", action="append", default=[], help="name or sha256 (repeatable)"
        )
        p.add_argument("--code", action="append", default=[], help="code path (repeatable)")
    p = _parser(asub, "rename", "rename a set", sets_rename)
    p.add_argument("name")
    p.add_argument("new_name")
    p = _parser(asub, "delete", "delete a set (its members stay in the project)", sets_delete)
    p.add_argument("name")


def sets_list(args) -> int:
    from desktop.services.codebook import codebook
    from desktop.services.documents import documents, sets

    with open_project(args.project) as project:
        rows = sets.list_sets(project)
        names = {d.id: d.name for d in documents.list_documents(project)}
        paths = {c.id: c.path for c in codebook.list_codes(project)}
    for x in rows:
        print(
            f"{x.name}\t{wording.count(len(x.documents), 'document')}\t{wording.count(len(x.codes), 'code')}"
        )
        for d in x.documents:
            print(f"  document\t{names[d]}")
        for c in x.codes:
            print(f"  code\t{paths[c]}")
    return 0


def sets_add(args) -> int:
    from desktop.services.documents import sets

    with open_project(args.project) as project:
        if args.where:
            x = sets.set_from_filter(project, args.name, args.where)
        else:
            x = sets.add_set(project, args.name, args.memo)
    print(f"added the set {x.name!r} ({wording.count(len(x.documents), 'document')})")
    return 0


def _members(project, args) -> tuple[list[int], list[int]]:
    if not args.document and not args.code:
        raise CliError("name what to include or exclude: --document NAME and/or --code PATH")
    return ([_document(project, d).id for d in args.document],
            [_code(project, c).id for c in args.code])  # fmt: skip


def sets_include(args) -> int:
    from desktop.services.documents import sets

    with open_project(args.project) as project:
        docs, codes = _members(project, args)
        n = sets.add_members(project, args.name, documents=docs, codes=codes)
    print(f"{wording.count(n, 'member')} added to {args.name!r}")
    return 0


def sets_exclude(args) -> int:
    from desktop.services.documents import sets

    with open_project(args.project) as project:
        docs, codes = _members(project, args)
        n = sets.remove_members(project, args.name, documents=docs, codes=codes)
    print(f"{wording.count(n, 'member')} taken out of {args.name!r}")
    return 0


def sets_rename(args) -> int:
    from desktop.services.documents import sets

    with open_project(args.project) as project:
        sets.rename_set(project, args.name, args.new_name)
    print(f"renamed the set {args.name!r} to {args.new_name!r}")
    return 0


def sets_delete(args) -> int:
    from desktop.services.documents import sets

    with open_project(args.project) as project:
        sets.delete_set(project, args.name)
    print(f"deleted the set {args.name!r}")
    return 0


# -- cases ------------------------------------------------------------------------


def _cases(sub) -> None:
    a = sub.add_parser("cases", help=_help("cases"))
    asub = a.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    _parser(asub, "list", "the cases, their attributes and documents", cases_list)
    p = _parser(asub, "add", "a new case", cases_add)
    p.add_argument("name")
    p.add_argument("--memo", default="")
    p.add_argument("--attr", action="append", help="NAME=VALUE of a case attribute (repeatable)")
    p = _parser(asub, "set", "change a case: name, memo, attributes", cases_set)
    p.add_argument("name")
    p.add_argument("--name", dest="new_name")
    p.add_argument("--memo")
    p.add_argument("--attr", action="append", help="NAME=VALUE (an empty VALUE clears it)")
    for name, help_, func in (("include", "documents that belong to the case", cases_include),
                              ("exclude", "documents that no longer belong to it", cases_exclude)):  # fmt: skip
        p = _parser(asub, name, help_, func)
        p.add_argument("name")
        p.add_argument("documents", nargs="+", help="names or sha256s")
    p = _parser(asub, "delete", "delete a case (its documents stay)", cases_delete)
    p.add_argument("name")


def cases_list(args) -> int:
    from desktop.services.documents import cases, documents

    with open_project(args.project) as project:
        rows = cases.list_cases(project)
        names = {d.id: d.name for d in documents.list_documents(project)}
    for c in rows:
        values = "; ".join(f"{k}={v}" for k, v in c.values.items())
        print(f"{c.name}\t{wording.count(len(c.documents), 'document')}\t{values}")
        for d in c.documents:
            print(f"  {names[d]}")
    return 0


def cases_add(args) -> int:
    from desktop.services.documents import cases

    with open_project(args.project) as project:
        cases.add_case(project, args.name, args.memo, _values(args.attr))
    print(f"added the case {args.name!r}")
    return 0


def cases_set(args) -> int:
    from desktop.services.documents import cases

    values = _values(args.attr)
    if args.new_name is None and args.memo is None and not values:
        raise CliError("nothing to change: give --name, --memo or --attr NAME=VALUE")
    with open_project(args.project) as project:
        if values:
            cases.set_values(project, args.name, values)
        if args.new_name is not None or args.memo is not None:
            cases.update_case(project, args.name, new_name=args.new_name, memo=args.memo)
    print(f"updated the case {args.name!r}")
    return 0


def cases_include(args) -> int:
    from desktop.services.documents import cases

    with open_project(args.project) as project:
        ids = [_document(project, d).id for d in args.documents]
        n = cases.set_documents(project, args.name, ids, add=True)
    print(f"{wording.count(n, 'document')} added to the case {args.name!r}")
    return 0


def cases_exclude(args) -> int:
    from desktop.services.documents import cases

    with open_project(args.project) as project:
        ids = [_document(project, d).id for d in args.documents]
        n = cases.set_documents(project, args.name, ids, add=False)
    print(f"{wording.count(n, 'document')} taken out of the case {args.name!r}")
    return 0


def cases_delete(args) -> int:
    from desktop.services.documents import cases

    with open_project(args.project) as project:
        cases.delete_case(project, args.name)
    print(f"deleted the case {args.name!r}")
    return 0


# -- memos ------------------------------------------------------------------------


def _memos(sub) -> None:
    a = sub.add_parser("memos", help=_help("memos"))
    asub = a.add_subparsers(dest="memos_command", metavar="ACTION", required=True)
    p = _parser(asub, "list", "every memo with what it belongs to", memos_list)
    p.add_argument("--search", help="only memos that contain this text")
    p.add_argument("--kind", action="append", choices=("journal", "document", "code", "coding"))
    p = _parser(asub, "journal", "add an entry to the project journal", memos_journal)
    p.add_argument("text")
    p.add_argument("--title", default="")
    p = _parser(asub, "document", "set a document's memo (empty clears it)", memos_document)
    p.add_argument("document", help="name or sha256")
    p.add_argument("text")
    p = _parser(asub, "code", "set a code's memo (empty clears it)", memos_code)
    p.add_argument("code", help="code path")
    p.add_argument("text")
    p = _parser(asub, "export", "write memos as Markdown, HTML or Word", memos_export)
    p.add_argument("output", type=Path, help=".md, .html or .docx")
    p.add_argument("--search")
    p.add_argument("--kind", action="append", choices=("journal", "document", "code", "coding"))


def memos_list(args) -> int:
    from desktop.services.coding import memos

    with open_project(args.project) as project:
        rows = memos.list_memos(project, args.search, tuple(args.kind or memos.KINDS))
    for x in rows:
        when = x.at.strftime("%Y-%m-%d %H:%M") if x.at else ""
        head = " \u2014 ".join(b for b in (x.about, x.title, when, x.author) if b)
        print(f"[{x.kind}] {head}\n  " + x.text.replace("\n", "\n  "))
    return 0


def memos_journal(args) -> int:
    from desktop.services.coding import memos

    with open_project(args.project) as project:
        memos.add_journal_entry(project, args.text, args.title)
    print("added a journal entry")
    return 0


def memos_document(args) -> int:
    from desktop.services.coding import memos

    with open_project(args.project) as project:
        d = _document(project, args.document)
        memos.set_document_memo(project, d.id, args.text)
    print(f"memo of {d.name} {'set' if args.text else 'cleared'}")
    return 0


def memos_code(args) -> int:
    from desktop.services.coding import memos

    with open_project(args.project) as project:
        c = _code(project, args.code)
        memos.set_code_memo(project, c.id, args.text)
    print(f"memo of {c.path} {'set' if args.text else 'cleared'}")
    return 0


def memos_export(args) -> int:
    from desktop.services.coding import memos

    with open_project(args.project) as project:
        rows = memos.list_memos(project, args.search, tuple(args.kind or memos.KINDS))
        n = memos.export_memos(rows, args.output, title=f"Memos: {project.name}")
    print(f"wrote {wording.count(n, 'memo')} to {args.output}")
    return 0
