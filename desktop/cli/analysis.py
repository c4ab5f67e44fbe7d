"""tessera retrieve | search | matrix | words | chart: coded passages across the corpus,
corpus search (with code-all), code matrices with co-occurrence, word frequencies, and
the tables behind the charts.

    tessera retrieve P --code PATH [--subcodes] [--and|--or|--not PATH | --near PATH
        --within N | --followed-by PATH --within N] [--coder NAME] [--where COND]
        [--context none|sentence|paragraph|N] [--format csv|html|docx|json] [-o FILE]
    tessera search P QUERY [--regex] [--exact] [--documents NAME ...] [--format text|csv|json] [-o FILE]
    tessera search P QUERY --code-all PATH --extend word|sentence|paragraph [--dry-run]
    tessera matrix P --codes PATH ... --by document|coder|set|case|ATTRIBUTE [--measure ...]
    tessera matrix P --codes PATH ... --cooccurrence [--within N | --same sentence|paragraph]
    tessera words P [--code PATH] [--document NAME] [--where 'document.A = V'] [--top N]
        [--format text|csv|json] [--add-stopwords W ...] [--remove-stopwords W ...]
    tessera chart P codes|time|field [--by ...] [--period year|month|week] [--format csv|json]

    Every query command takes --set NAME / --case NAME (repeatable) to keep to the
    documents of some document sets or cases.

    retrieve --save NAME keeps the query in the project; retrieve --saved NAME runs it.

The analysis modules (numpy) are imported inside the commands, not at start-up."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from desktop.cli.common import CliError, err, open_project, project_arg
from desktop.core import wording


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retrieve", help="coded passages across documents (code queries)")
    p.add_argument("project", type=project_arg)
    p.add_argument("--code", metavar="PATH", help="code A, by its path")
    p.add_argument("--save", metavar="NAME", help="also keep this query in the project as NAME")
    p.add_argument(
        "--saved",
        metavar="NAME",
        help="run the query saved as NAME (other query options are ignored)",
    )
    p.add_argument("--subcodes", action="store_true", help="include the codes' sub-codes")
    ops = p.add_mutually_exclusive_group()
    ops.add_argument("--and", dest="and_", metavar="PATH", help="the text coded with both A and B")
    ops.add_argument("--or", dest="or_", metavar="PATH", help="passages of A or of B")
    ops.add_argument(
        "--not", dest="not_", metavar="PATH", help="A passages overlapping no B passage"
    )
    ops.add_argument(
        "--near", metavar="PATH", help="A passages within --within N characters of B (or --same)"
    )
    ops.add_argument(
        "--followed-by", metavar="PATH", help="A passages with B starting within N after them"
    )
    p.add_argument(
        "--within", type=int, metavar="N", help="distance in characters for --near / --followed-by"
    )
    p.add_argument(
        "--same",
        choices=("sentence", "paragraph"),
        help="--near: in the same sentence or paragraph",
    )
    _filters(p)
    p.add_argument("--where", action="append", default=[], metavar="COND",
                   help="condition, e.g. 'count >= 10', 'kind = civilian', 'document.source = Reuters', "
                        "'memo ~ verify' (repeatable; all must hold)")  # fmt: skip
    p.add_argument("--context", default="none", metavar="none|sentence|paragraph|N",
                   help="text shown around each passage (N: words either side)")  # fmt: skip
    p.add_argument("--sort", choices=("document", "code", "coder", "length"), default="document")
    p.add_argument("--format", choices=("csv", "html", "docx", "json"), default="csv")
    p.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: stdout)"
    )
    p.set_defaults(func=cmd_retrieve)

    p = sub.add_parser("search", help="search the documents' text; optionally code every hit")
    p.add_argument("project", type=project_arg)
    p.add_argument(
        "query", help='words, "phrases", prefix*, AND/OR/NOT, ( ); or a regex with --regex'
    )
    p.add_argument(
        "--regex", action="store_true", help="QUERY is a regular expression (reads every text)"
    )
    p.add_argument("--exact", action="store_true",
                   help="match the same characters only (by default case, Arabic marks and tatweel, "
                        "digits of every script, accents' encoding and ZWNJ are folded)")  # fmt: skip
    p.add_argument(
        "--documents", nargs="+", default=[], metavar="NAME", help="search only these documents"
    )
    _groups(p)
    p.add_argument("--width", type=int, default=40, help="characters of context either side")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p.add_argument("--code-all", metavar="PATH", help="apply this code to every hit")
    p.add_argument("--extend", choices=("word", "sentence", "paragraph"), default="word",
                   help="--code-all: code the whole word, sentence or paragraph of each hit")  # fmt: skip
    p.add_argument(
        "--coder", metavar="NAME", help="--code-all: the coder (needed if the project has several)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="--code-all: only say what would be coded"
    )
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "matrix", help="codes by document, coder, set, case or attribute; co-occurrence"
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("--codes", nargs="+", required=True, metavar="PATH")
    p.add_argument("--subcodes", action="store_true", help="count each code's sub-codes in its row")
    p.add_argument("--by", default="document", metavar="document|coder|set|case|ATTRIBUTE",
                   help="the columns: documents, coders, document sets, cases or the values "
                        "of a document attribute")  # fmt: skip
    p.add_argument("--measure", choices=("codings", "characters", "documents"), default="codings")
    p.add_argument("--cooccurrence", action="store_true", help="code by code co-occurrence")
    p.add_argument(
        "--within", type=int, metavar="N", help="co-occurrence: a gap of at most N characters"
    )
    p.add_argument(
        "--same",
        choices=("sentence", "paragraph"),
        help="co-occurrence: touch the same sentence or paragraph",
    )
    _filters(p)
    p.add_argument("--where", action="append", default=[], metavar="COND", help="as for retrieve")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_matrix)

    p = sub.add_parser("words", help="word frequencies, keyness of a code's passages, collocations")
    p.add_argument("project", type=project_arg)
    p.add_argument(
        "--code",
        metavar="PATH",
        help="the words of this code's passages against the rest of the corpus",
    )
    p.add_argument("--subcodes", action="store_true", help="--code: with its sub-codes")
    _filters(p)
    p.add_argument("--where", action="append", default=[], metavar="COND",
                   help="documents meeting 'document.ATTRIBUTE OP VALUE' (with --code: as for retrieve)")  # fmt: skip
    p.add_argument("--top", type=int, default=50, metavar="N", help="how many words (default 50)")
    p.add_argument(
        "--collocations", type=int, default=20, metavar="N", help="how many word pairs (0: none)"
    )
    p.add_argument("--add-stopwords", nargs="+", default=None, metavar="WORD",
                   help="add words to the project's stop words (kept in the project)")  # fmt: skip
    p.add_argument("--remove-stopwords", nargs="+", default=None, metavar="WORD",
                   help="count these words although a shipped list has them (kept in the project)")  # fmt: skip
    p.add_argument("--stopword-languages", nargs="+", default=None, metavar="LANG",
                   help="the shipped lists to use: en fr de es ar (kept in the project)")  # fmt: skip
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_words)

    p = sub.add_parser(
        "chart", help="the table behind a chart: codings per code or over time, a field summed"
    )
    p.add_argument("project", type=project_arg)
    p.add_argument("kind", choices=("codes", "time", "field"),
                   help="codes: codings per code, stacked; time: codings per period of a "
                        "document date; field: a number field summed per period")  # fmt: skip
    p.add_argument("--codes", nargs="+", default=None, metavar="PATH",
                   help="codes, time: these codes (default: every code with codings)")  # fmt: skip
    p.add_argument("--code", metavar="PATH", help="field: the code (with its sub-codes)")
    p.add_argument("--field", metavar="NAME", help="field: the number field summed (e.g. count)")
    p.add_argument("--by", metavar="WHAT",
                   help="codes: stack by coder (default), set, case or a document attribute; "
                        "field: split by code, coder or another field (e.g. kind)")  # fmt: skip
    p.add_argument("--attribute", default="date", metavar="NAME",
                   help="time, field: the document attribute holding the date (default date)")  # fmt: skip
    p.add_argument("--period", choices=("year", "month", "week"), default=None,
                   help="time, field: per year, month or ISO week (default: month, week)")  # fmt: skip
    _filters(p)
    p.add_argument("--where", action="append", default=[], metavar="COND", help="as for retrieve")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_chart)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--coder",
        action="append",
        default=[],
        metavar="NAME",
        help="only this coder's codings (repeatable)",
    )
    p.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="NAME",
        help="only this document (repeatable)",
    )
    _groups(p)
    p.add_argument("--as", dest="as_coder", metavar="NAME",
                   help="run as this coder: in blind mode, see only what they may see")  # fmt: skip


def _groups(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME",
                   help="only documents in this document set (repeatable: in any of them)")  # fmt: skip
    p.add_argument("--case", dest="cases", action="append", default=[], metavar="NAME",
                   help="only documents of this case (repeatable: of any of them)")  # fmt: skip


def _visible(project, name: str | None) -> list[int] | None:
    """The coders whose codings the command may read (blind coding)."""
    if not name:
        return None  # the command line is the reviewer's tool
    from desktop.services.analysis.selection import coder_ids
    from desktop.services.teams import teams

    return teams.visible_coder_ids(project, coder_ids(project, [name])[0])


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from desktop.core import csvio

    with csvio.open_output(output) as fh:
        fh.write(text)


# -- retrieve ---------------------------------------------------------------------------


def cmd_retrieve(args) -> int:
    from desktop.services.analysis import report
    from desktop.services.analysis.retrieval import RetrievalQuery, check_context, retrieve

    op, other = next(
        ((name, getattr(args, attr)) for name, attr in (
            ("and", "and_"), ("or", "or_"), ("not", "not_"), ("near", "near"),
            ("followed_by", "followed_by")) if getattr(args, attr)),
        (None, None),
    )  # fmt: skip
    if args.within is not None and op not in ("near", "followed_by"):
        raise CliError("--within goes with --near or --followed-by")
    if args.same and op != "near":
        raise CliError("--same goes with --near")
    if args.format == "docx" and args.output is None:
        raise CliError("--format docx needs an output file: -o FILE.docx")
    if not args.code and not args.saved:
        raise CliError("name a code (--code PATH) or a saved query (--saved NAME)")
    context = check_context(args.context)
    query = RetrievalQuery(
        code=args.code or "", subcodes=args.subcodes, op=op, other=other, within=args.within,
        same=args.same, coders=tuple(args.coder), documents=tuple(args.document),
        where=tuple(args.where), sets=tuple(args.sets), cases=tuple(args.cases),
    )  # fmt: skip
    with open_project(args.project) as project:
        from desktop.services.analysis import saved

        if args.saved:
            found = saved.open_query(project, args.saved)
            if found.problems:
                raise CliError("; ".join(found.problems))
            if found.kind != "retrieve":
                raise CliError(
                    f"saved query {args.saved!r} is a {found.kind} query, not a retrieve"
                )
            query = RetrievalQuery(**{k: tuple(v) if isinstance(v, list) else v
                                      for k, v in found.params.items()})  # fmt: skip
        result = retrieve(project, query, visible_coders=_visible(project, args.as_coder))
        if args.save:
            saved.save_query(project, args.save, "retrieve", query_params(query))
            err(f"query saved as {args.save!r}")
        result = result.sorted_by(args.sort)
        passages = result.iter_pages(project, context=context)
        title = f"{project.name}: {result.and_label or args.code}"
        if args.format == "json":
            doc = {
                "passages": [report.passage_dict(p) for p in passages],
                "counts": {"total": result.total, "codes": result.counts_by_code(),
                           "documents": result.counts_by_document()},
            }  # fmt: skip
            _emit(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", args.output)
        elif args.format == "csv":
            report.write_csv(passages, args.output if args.output else sys.stdout)
        elif args.format == "html":
            report.write_html(passages, args.output if args.output else sys.stdout, title)
        else:
            report.write_docx(passages, args.output, title)
    if args.output is not None:
        err(f"{wording.count(result.total, 'passage')} written to {args.output}")
    return 0


def query_params(query) -> dict:
    """A RetrievalQuery as the JSON values a saved query keeps."""
    from dataclasses import asdict

    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(query).items()}


# -- search -----------------------------------------------------------------------------


def cmd_search(args) -> int:
    from desktop.services.analysis import fulltext
    from desktop.services.analysis import search as svc

    if args.width < 0:
        raise CliError("--width cannot be negative")
    with open_project(args.project, actor=args.coder or "") as project:
        if not args.regex:  # a project made before the index builds it first, once
            fulltext.build(project, lambda st: err(st.describe()))
        result = svc.search(
            project, args.query, regex=args.regex, exact=args.exact,
            documents=args.documents or None, sets=args.sets, cases=args.cases, width=args.width,
        )  # fmt: skip
        if args.code_all:
            return _code_all(project, result, args)
        hits = result.all(project)
    counts = svc.counts_by_document(hits)
    if args.format == "json":
        doc = {
            "hits": [{"document": h.document, "start": h.start, "end": h.end, "left": h.left,
                      "match": h.match, "right": h.right} for h in hits],
            "total": len(hits), "documents": counts,
        }  # fmt: skip
        _emit(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", args.output)
    elif args.format == "csv":
        from desktop.core import csvio

        with csvio.open_output(args.output if args.output else sys.stdout) as fh:
            w = csvio.writer(fh)
            w.writerow(["document", "start", "end", "left", "match", "right"])
            for h in hits:
                w.writerow([h.document, h.start, h.end, h.left, h.match, h.right])
    else:
        lines = [f"{h.left:>{args.width}} [{h.match}] {h.right:<{args.width}}  {h.document}:{h.start}"
                 for h in hits]  # fmt: skip
        lines.append(
            f"{wording.count(len(hits), 'hit')} in {wording.count(len(counts), 'document')}"
        )
        _emit("\n".join(lines) + "\n", args.output)
    return 0


def _code_all(project, result, args) -> int:
    from desktop.services.analysis import search as svc
    from desktop.services.analysis.selection import select_codes
    from desktop.services.teams import coders as coder_svc

    select_codes(project, args.code_all)  # an unknown code is named before anything else
    known = coder_svc.list_coders(project)
    if args.coder:
        match = [c for c in known if c.name == args.coder]
        if not match:
            raise CliError(f"no coder named {args.coder!r} (add one with `tessera coders add`)")
        coder = match[0]
    elif len(known) == 1:
        coder = known[0]
    else:
        raise CliError("--code-all needs --coder NAME: " + (
            "the project has no coder yet" if not known else "the project has several coders"))  # fmt: skip
    plan = svc.plan_code_all(project, result, args.code_all, coder.id, args.extend)
    todo = len(plan.to_code)
    summary = (f"{wording.count(len(plan.passages), 'passage')} ({args.extend}s around the hits), "
               f"{len(plan.already_coded)} already coded with {plan.code_path} by {coder.name}")  # fmt: skip
    if args.dry_run:
        print(f"would code {todo}: {summary}")
        return 0
    report = svc.code_all(project, plan)
    print(f"coded {len(report.coding_ids)}: {summary}")
    return 0


# -- matrix -----------------------------------------------------------------------------


def cmd_matrix(args) -> int:
    from desktop.services.analysis import matrix as svc

    if not args.cooccurrence and (args.within is not None or args.same):
        raise CliError("--within and --same go with --cooccurrence")
    with open_project(args.project) as project:
        visible = _visible(project, args.as_coder)
        common = dict(subcodes=args.subcodes, coders=args.coder, documents=args.document,
                      sets=args.sets, cases=args.cases, visible_coders=visible)  # fmt: skip
        if args.cooccurrence:
            if args.where:
                raise CliError("--where is not available with --cooccurrence")
            m = svc.cooccurrence_matrix(
                project, args.codes, within=args.within, same=args.same, **common
            )
        else:
            m = svc.code_matrix(
                project, args.codes, args.by, measure=args.measure, where=args.where, **common
            )
    if args.format == "json":
        _emit(json.dumps(m.as_json(), ensure_ascii=False, indent=1) + "\n", args.output)
        return 0
    svc.write_csv(m, args.output if args.output else sys.stdout)
    return 0


# -- words ------------------------------------------------------------------------------


def cmd_words(args) -> int:
    from desktop.services.analysis import words as svc

    with open_project(args.project) as project:
        if any(
            x is not None
            for x in (args.add_stopwords, args.remove_stopwords, args.stopword_languages)
        ):
            cur = svc.stopword_settings(project)
            added = set(cur["added"]) | set(args.add_stopwords or [])
            removed = (set(cur["removed"]) - set(args.add_stopwords or [])) | set(
                args.remove_stopwords or []
            )
            added -= set(args.remove_stopwords or [])
            svc.set_stopwords(project, languages=args.stopword_languages, added=sorted(added),
                              removed=sorted(removed))  # fmt: skip
        r = svc.word_frequencies(
            project, code=args.code, subcodes=args.subcodes, documents=args.document,
            sets=args.sets, cases=args.cases, where=args.where, coders=args.coder, top=args.top, collocations=args.collocations,
            visible_coders=_visible(project, args.as_coder),
        )  # fmt: skip
    if args.format == "json":
        _emit(json.dumps(r.as_json(), ensure_ascii=False, indent=1) + "\n", args.output)
        return 0
    if args.format == "csv":
        svc.write_csv(r, args.output if args.output else sys.stdout)
        return 0
    keyed = r.code is not None
    head = ["word", "count", "per_thousand"] + (["reference", "log_likelihood"] if keyed else [])
    rows = [
        [w.word, w.count, w.per_thousand] + ([w.reference, w.g2] if keyed else []) for w in r.rows
    ]
    lines = ["\t".join(head)] + ["\t".join(str(x) for x in row) for row in rows]
    where = f"passages of {r.code} ({r.words} words) against the rest ({r.reference_words} words)" if keyed \
        else f"{r.words} words in {wording.count(r.documents, 'document')}"  # fmt: skip
    lines.append(where)
    if r.collocations:
        lines.append(
            "collocations: " + "; ".join(f"{a} {b} ({n})" for a, b, n, _ in r.collocations)
        )
    _emit("\n".join(lines) + "\n", args.output)
    return 0


# -- chart ------------------------------------------------------------------------------


def cmd_chart(args) -> int:
    from desktop.services.analysis import charts as svc

    if args.kind == "field" and not (args.code and args.field):
        raise CliError("tessera chart field needs --code PATH and --field NAME")
    if args.kind != "field" and (args.code or args.field):
        raise CliError("--code and --field go with `tessera chart field` (codes, time: --codes)")
    with open_project(args.project) as project:
        common = dict(coders=args.coder, documents=args.document, sets=args.sets,
                      cases=args.cases, where=args.where,
                      visible_coders=_visible(project, args.as_coder))  # fmt: skip
        if args.kind == "codes":
            data = svc.frequencies(project, args.codes, by=args.by or "coder", **common)
        elif args.kind == "time":
            data = svc.over_time(project, args.codes, attribute=args.attribute,
                                 period=args.period or "month", **common)  # fmt: skip
        else:
            data = svc.field_over_time(project, args.code, args.field, by=args.by,
                                       attribute=args.attribute, period=args.period or "week",
                                       **common)  # fmt: skip
    out = args.output if args.output else sys.stdout
    (svc.write_json if args.format == "json" else svc.write_csv)(data, out)
    if data.skipped:
        err(
            f"{wording.count(data.skipped, 'coding')} in documents without a readable {args.attribute} left out"
        )
    return 0
