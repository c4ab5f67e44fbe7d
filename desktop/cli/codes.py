"""tessera codes: the codebook from the shell.

add | list | show | rename | recolor | move | merge | delete | describe |
example add/list/remove | field add/list/set/remove | import | template save/list/delete |
frequencies. Codes are named by their path, e.g. 'Actors/Armed groups'."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CliError, err, open_project, project_arg
from desktop.core import wording
from desktop.services.codebook import codebook
from desktop.services.codebook import exchange as codebook_exchange
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.frequencies import frequencies
from desktop.services.codebook.merge import merge_codes
from desktop.services.errors import ConfirmationNeeded
from desktop.services.project import templates


def register(sub: argparse._SubParsersAction) -> None:
    codes = sub.add_parser(
        "codes", help="the codebook: add, rename, move, merge, fields, import, ..."
    )
    csub = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)

    def action(name: str, func, help: str, *, project: bool = True, aliases=()):
        p = csub.add_parser(name, help=help, aliases=list(aliases))
        if project:
            p.add_argument("project", type=project_arg)
        p.set_defaults(func=func)
        return p

    p = action("add", cmd_add, "add a code by its path, e.g. 'Actors/Armed groups' (parents too)")
    p.add_argument("path")
    p.add_argument("--color", help="#RRGGBB")
    _definition_options(p)

    p = action("list", cmd_list, "list codes as a tree")
    p.add_argument("--paths", action="store_true", help="one full path per line")
    p.add_argument("--fields", action="store_true", help="show the fields of each code")

    p = action("show", cmd_show, "a code's definition, criteria, examples, fields and codings")
    p.add_argument("path")

    p = action("rename", cmd_rename, "give a code a new name (its place stays)")
    p.add_argument("path")
    p.add_argument("name")

    p = action("recolor", cmd_recolor, "give a code a new colour", aliases=("recolour",))
    p.add_argument("path")
    p.add_argument("color", help="#RRGGBB")

    p = action("move", cmd_move, "move a code (and its sub-codes) under another code")
    p.add_argument("path")
    p.add_argument(
        "parent", nargs="?", default="", help="the new parent's path; leave out for the top level"
    )
    p.add_argument("--position", type=int, help="place among the new siblings (0 = first)")

    p = action(
        "merge", cmd_merge, "merge code A into code B: A's codings, examples and sub-codes go to B"
    )
    p.description = (
        "A's codings become B's; a coding B already has (same document, coder and span) "
        "collapses into it. Field values move to B's fields of the same name and type; "
        "the rest are reported. A's sub-codes become B's, and a sub-code B already has "
        "by that name is merged the same way. A disappears."
    )
    p.add_argument("source", metavar="A", help="the code that disappears (a path)")
    p.add_argument("target", metavar="B", help="the code that receives its codings (a path)")

    p = action("delete", cmd_delete, "delete a code and its sub-codes")
    p.add_argument("path")
    p.add_argument("--yes", action="store_true", help="also delete the codings of these codes")

    p = action("describe", cmd_describe, "set a code's definition and inclusion/exclusion criteria")
    p.add_argument("path")
    _definition_options(p)

    p = action(
        "import", cmd_import, "import a codebook (.csv, .qdc, or the codebook of a .qde/.qdpx)"
    )
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    p.add_argument("--lenient", action="store_true",
                   help="accept a REFI-QDA file that had to be read differently (renamed duplicates, "
                        "unreadable colours) and report what changed")  # fmt: skip

    p = action("frequencies", cmd_frequencies, "codings per code and document (or coder)")
    p.add_argument("--by", choices=("document", "coder"), default="document")

    ex = csub.add_parser("example", help="anchor examples of a code")
    exsub = ex.add_subparsers(dest="example_command", metavar="ACTION", required=True)
    p = exsub.add_parser("add", help="add an example: TEXT, or the quote of --from-coding ID")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.add_argument("text", nargs="?")
    p.add_argument("--from-coding", type=int, metavar="ID", help="take the quote of this coding")
    p.set_defaults(func=cmd_example_add)
    p = exsub.add_parser("list", help="a code's examples, numbered")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.set_defaults(func=cmd_example_list)
    p = exsub.add_parser("remove", help="remove example N (as numbered by 'example list')")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.add_argument("number", type=int)
    p.set_defaults(func=cmd_example_remove)

    fl = csub.add_parser("field", help="typed fields that codings of a code carry")
    flsub = fl.add_subparsers(dest="field_command", metavar="ACTION", required=True)
    p = flsub.add_parser("add", help="add a field; sub-codes inherit it")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.add_argument("name")
    p.add_argument("type", help="integer | decimal | text | date | choice | boolean")
    p.add_argument("--choices", help="the values of a choice field, separated by '|'")
    p.add_argument("--required", action="store_true")
    p.set_defaults(func=cmd_field_add)
    p = flsub.add_parser("list", help="fields of one code (with inherited ones) or of all")
    p.add_argument("project", type=project_arg)
    p.add_argument("path", nargs="?")
    p.set_defaults(func=cmd_field_list)
    p = flsub.add_parser("set", help="change a field: name, type, values, required")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.add_argument("name")
    p.add_argument("--rename", metavar="NEW", help="a new name for the field")
    p.add_argument("--type", dest="new_type", help="a new type (stored values must fit it)")
    p.add_argument("--choices", help="the new list of values, separated by '|'")
    p.add_argument("--rename-choice", nargs=2, metavar=("OLD", "NEW"),
                   help="rename one value, and the codings' values with it")  # fmt: skip
    req = p.add_mutually_exclusive_group()
    req.add_argument("--required", dest="required", action="store_true", default=None)
    req.add_argument("--optional", dest="required", action="store_false")
    p.set_defaults(func=cmd_field_set)
    p = flsub.add_parser("remove", help="remove a field of a code")
    p.add_argument("project", type=project_arg)
    p.add_argument("path")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="also delete the values codings have for it")
    p.set_defaults(func=cmd_field_remove)

    tp = csub.add_parser("template", help="save the codebook as a template; list templates")
    tpsub = tp.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    p = tpsub.add_parser(
        "save", help="save this project's codebook as a template for 'tessera new --template'"
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("name")
    p.add_argument("--description", default="")
    p.add_argument("--overwrite", action="store_true", help="replace a saved template of that name")
    p.set_defaults(func=cmd_template_save)
    p = tpsub.add_parser("list", help="the shipped and saved templates")
    p.set_defaults(func=cmd_template_list)
    p = tpsub.add_parser("delete", help="delete a saved template")
    p.add_argument("name")
    p.set_defaults(func=cmd_template_delete)


def _definition_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--description", help="the definition")
    p.add_argument("--inclusion", help="when to apply the code")
    p.add_argument("--exclusion", help="when not to apply it")


def _code(project, path: str) -> codebook.CodeInfo:
    found = codebook.find_code(project, path)
    if found is None:
        raise CliError(f"no code {path!r} (see `tessera codes list {project.path}`)")
    return found


# -- the tree -------------------------------------------------------------------------


def cmd_add(args) -> int:
    with open_project(args.project) as project:
        code = codebook.add_code(
            project, args.path, color=args.color, description=args.description or "",
            inclusion=args.inclusion or "", exclusion=args.exclusion or "",
        )  # fmt: skip
    print(f"added {code.path} ({code.color})")
    return 0


def cmd_list(args) -> int:
    with open_project(args.project) as project:
        codes = codebook.list_codes(project)
        by_code = fieldsvc.fields_by_code(project) if args.fields else {}
    for c in codes:
        if args.paths:
            print(c.path)
            continue
        count = f"  [{c.codings}]" if c.codings else ""
        print(f"{'  ' * c.depth}{c.name}  {c.color}{count}")
        for f in by_code.get(c.id, []):
            if f.code_id == c.id:
                print(f"{'  ' * c.depth}  - {_field_text(f)}")
    return 0


def _field_text(f: fieldsvc.FieldInfo) -> str:
    text = f"{f.name}: {f.type}"
    if f.choices:
        text += f" ({' | '.join(f.choices)})"
    return text + (", required" if f.required else "")


def cmd_show(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        effective = fieldsvc.effective_fields(project, c.id)
        under = codebook.count_codings_under(project, c.id)
        paths = {x.id: x.path for x in codebook.list_codes(project)}
    print(f"{c.path}  {c.color}")
    print(f"codings: {c.codings}" + (f" ({under} with sub-codes)" if under != c.codings else ""))
    for label, text in (
        ("definition", c.description),
        ("include", c.inclusion),
        ("exclude", c.exclusion),
    ):
        if text:
            print(f"{label}: {text}")
    for i, ex in enumerate(c.examples, 1):
        print(f"example {i}: {ex}")
    for f in effective:
        inherited = "" if f.code_id == c.id else f"  (from {paths[f.code_id]})"
        print(f"field: {_field_text(f)}{inherited}")
    return 0


def cmd_rename(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        codebook.update_code(project, c.id, name=args.name)
        new = codebook.get_code(project, c.id)
    print(f"renamed {c.path} to {new.path}")
    return 0


def cmd_recolor(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        _old, new = codebook.update_code(project, c.id, color=args.color)
    print(f"{c.path}: {c.color} -> {new['color']}")
    return 0


def cmd_move(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        parent = _code(project, args.parent).id if args.parent.strip("/ ") else None
        codebook.move_code(project, c.id, parent, args.position)
        new = codebook.get_code(project, c.id)
    print(f"moved {c.path} to {new.path}")
    return 0


def cmd_merge(args) -> int:
    with open_project(args.project) as project:
        a, b = _code(project, args.source), _code(project, args.target)
        report = merge_codes(project, a.id, b.id)
    print(f"merged {report.source_path} into {report.target_path}: {wording.count(report.codings_moved, 'coding')} moved, "
          f"{wording.count(report.duplicates_collapsed, 'duplicate')} collapsed")  # fmt: skip
    for src, dst in report.merged[1:]:
        print(f"  merged sub-code {src} into {dst}")
    for path in report.children_moved:
        print(f"  moved sub-code to {path}")
    if report.examples_moved:
        print(f"  {wording.count(report.examples_moved, 'example')} moved")
    if report.values_moved:
        print(
            f"  {wording.count(report.values_moved, 'field value')} moved to fields of the same name"
        )
    for d in report.values_dropped:
        err(f"  dropped {d.field}={d.value!r} of coding {d.coding_id}: {d.reason}")
    return 0


def cmd_delete(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        try:
            snap = codebook.delete_code_tree(project, c.id, confirm_codings=args.yes)
        except ConfirmationNeeded as exc:
            raise CliError(f"{exc}; add --yes to delete them") from exc
    subs = len(snap.codes) - 1
    print(
        f"deleted {c.path}"
        + (f" and {wording.count(subs, 'sub-code')}" if subs else "")
        + f", with {wording.count(snap.coding_count, 'coding')}"
    )
    return 0


def cmd_describe(args) -> int:
    changes = {
        k: getattr(args, k)
        for k in ("description", "inclusion", "exclusion")
        if getattr(args, k) is not None
    }
    if not changes:
        raise CliError("give --description, --inclusion and/or --exclusion")
    with open_project(args.project) as project:
        c = _code(project, args.path)
        old, new = codebook.update_code(project, c.id, **changes)
    changed = [k for k in changes if old[k] != new[k]]
    print(f"{c.path}: " + (f"set {', '.join(changed)}" if changed else "nothing changed"))
    return 0


# -- examples and fields ----------------------------------------------------------------


def cmd_example_add(args) -> int:
    if (args.text is None) == (args.from_coding is None):
        raise CliError("give the example's TEXT or --from-coding ID (one of them)")
    with open_project(args.project) as project:
        c = _code(project, args.path)
        if args.from_coding is not None:
            ex = codebook.add_example_from_coding(project, c.id, args.from_coding)
        else:
            ex = codebook.add_example(project, c.id, args.text)
    print(f"{c.path}: added example {ex.text!r}")
    return 0


def cmd_example_list(args) -> int:
    with open_project(args.project) as project:
        examples = codebook.list_examples(project, _code(project, args.path).id)
    for i, ex in enumerate(examples, 1):
        source = f"  (coding {ex.coding_id})" if ex.coding_id else ""
        print(f"{i}. {ex.text}{source}")
    return 0


def cmd_example_remove(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        examples = codebook.list_examples(project, c.id)
        if not 1 <= args.number <= len(examples):
            raise CliError(
                f"{c.path} has {wording.count(len(examples), 'example')}; there is no number {args.number}"
            )
        removed = codebook.remove_example(project, examples[args.number - 1].id)
    print(f"{c.path}: removed example {removed.text!r}")
    return 0


def cmd_field_add(args) -> int:
    choices = [x.strip() for x in args.choices.split("|")] if args.choices else ()
    with open_project(args.project) as project:
        c = _code(project, args.path)
        f = fieldsvc.add_field(
            project, c.id, args.name, args.type, choices=choices, required=args.required
        )
    print(f"{c.path}: added field {_field_text(f)}")
    return 0


def cmd_field_list(args) -> int:
    with open_project(args.project) as project:
        codes = codebook.list_codes(project)
        paths = {c.id: c.path for c in codes}
        if args.path:
            c = _code(project, args.path)
            for f in fieldsvc.effective_fields(project, c.id):
                inherited = "" if f.code_id == c.id else f"  (from {paths[f.code_id]})"
                print(f"{_field_text(f)}{inherited}")
            return 0
        by_code = fieldsvc.fields_by_code(project)
    for c in codes:
        for f in by_code[c.id]:
            if f.code_id == c.id:
                print(f"{c.path}: {_field_text(f)}")
    return 0


def _own_field(project, c: codebook.CodeInfo, name: str) -> fieldsvc.FieldInfo:
    own = {f.name.lower(): f for f in fieldsvc.list_fields(project, c.id)}
    f = own.get(name.strip().lower())
    if f is None:
        raise CliError(f"{c.path} has no field {name!r} of its own")
    return f


def cmd_field_set(args) -> int:
    changes: dict = {}
    if args.rename:
        changes["name"] = args.rename
    if args.new_type:
        changes["type"] = args.new_type
    if args.choices is not None:
        changes["choices"] = [x.strip() for x in args.choices.split("|")]
    if args.required is not None:
        changes["required"] = args.required
    if not changes and not args.rename_choice:
        raise CliError(
            "give --rename, --type, --choices, --rename-choice, --required or --optional"
        )
    with open_project(args.project) as project:
        c = _code(project, args.path)
        f = _own_field(project, c, args.name)
        if args.rename_choice:
            n = fieldsvc.rename_choice(project, f.id, *args.rename_choice)
            print(f"{c.path}: renamed the value {args.rename_choice[0]!r} of {f.name!r} "
                  f"to {args.rename_choice[1]!r} ({wording.count(n, 'coding value')})")  # fmt: skip
        if changes:
            fieldsvc.update_field(project, f.id, **changes)
        f = fieldsvc.get_field(project, f.id)
    print(f"{c.path}: field {_field_text(f)}")
    return 0


def cmd_field_remove(args) -> int:
    with open_project(args.project) as project:
        c = _code(project, args.path)
        f = _own_field(project, c, args.name)
        try:
            snap = fieldsvc.delete_field(project, f.id, confirm_values=args.yes)
        except ConfirmationNeeded as exc:
            raise CliError(f"{exc}; add --yes to delete them") from exc
    print(f"{c.path}: removed field {f.name!r} and {wording.count(snap.value_count, 'value')}")
    return 0


# -- files --------------------------------------------------------------------------------


def cmd_import(args) -> int:
    with open_project(args.project) as project:
        report = codebook_exchange.import_codebook(
            project, args.file, strict=not args.lenient, dry_run=args.dry_run
        )
    for w in report.warnings:
        err(f"warning: {w}")
    for path in report.added:
        print(f"added {path}")
    for path, what in report.updated:
        print(f"updated {path}: {', '.join(what)}")
    for note in report.left_alone:
        print(f"left alone {note}")
    origin = f" (written by {report.origin})" if report.origin else ""
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {args.file}{origin}: {len(report.added)} added, {len(report.updated)} updated, "
          f"{len(report.unchanged)} unchanged")  # fmt: skip
    return 0


def cmd_frequencies(args) -> int:
    with open_project(args.project) as project:
        table = frequencies(project, args.by)
    names = [name for _, name in table.columns]
    width = max([len("  " * r.depth + r.name) for r in table.rows] + [5])
    cols = [max(len(n), 5) for n in names]
    print(
        f"{'code':<{width}}  "
        + "  ".join(f"{n:>{w}}" for n, w in zip(names, cols, strict=True))
        + "  total  with sub-codes"
    )
    for r in table.rows:
        cells = "  ".join(f"{n or '':>{w}}" for n, w in zip(r.counts, cols, strict=True))
        print(
            f"{'  ' * r.depth + r.name:<{width}}  {cells}  {r.total:>5}  {r.total_with_subcodes:>14}"
        )
    cells = "  ".join(f"{n:>{w}}" for n, w in zip(table.column_totals, cols, strict=True))
    print(f"{'Total':<{width}}  {cells}  {table.total:>5}")
    return 0


def cmd_template_save(args) -> int:
    with open_project(args.project) as project:
        info = templates.save_template(
            project, args.name, description=args.description, overwrite=args.overwrite
        )
    print(f"saved template {info.key!r} ({info.codes} codes) to {info.path}")
    print(f"start a project from it with: tessera new PROJECT --template {info.key}")
    return 0


def cmd_template_list(args) -> int:
    for t in templates.list_templates():
        kind = "shipped" if t.builtin else "saved"
        print(
            f"{t.key:<24} {t.codes:>4} codes  {kind:<7}  {t.name}"
            + (f": {t.description}" if t.description else "")
        )
    return 0


def cmd_template_delete(args) -> int:
    path = templates.delete_template(args.name)
    print(f"deleted template {path}")
    return 0
