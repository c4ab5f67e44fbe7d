"""Benchmark: a REFI-QDA round trip of a 10,000-document project, and the peak memory of
imports refused at a limit.

    .venv/bin/python -m tests.benchmarks.bench_refi_roundtrip [--documents N]

Builds a project of N short documents (two codings each), exports it with
``tessera refi export`` and imports the export into a new project with
``tessera refi import``, each command in a fresh interpreter whose time and peak memory
are measured (the peak is the process's own, VmHWM). Tessera must read what it writes:
the import must take every document and coding back, under 500 MB. The baseline of the
import is the export (same project, same run); the time per document of each is shown,
so that runs of different sizes (``--documents 10000``, ``100000``) tell whether it stays
flat. Then three hostile inputs (a PDF whose page inflates to 1.5 GB, a codings CSV with
a 150 MB memo, a .qdpx bomb) are imported through the CLI; each must be refused with its
peak memory under 500 MB. Never asserted in tests: timings on a shared 2-core machine
are noise-prone."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = 10_000
MEMORY_TARGET_MB = 500.0
#: The import reads the file twice and checks every coding against the project: at most
#: this many times the export's time for the same project.
IMPORT_RATIO_TARGET = 4.0

# The peak is VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a command
# started by this (big) process would report this process's size.
_CLI = """
import json, resource, sys, time
from desktop.cli.main import main
t0 = time.perf_counter()
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print("@@" + json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                         "peak_mb": peak, "code": code or 0}))
"""

_WORDS = ("ceasefire", "talks", "shelling", "market", "council", "river", "aid", "convoy",
          "Dera\u2019a", "résistance", "\u0627\u0644\u062d\u0631\u0628")  # fmt: skip


def build_project(path: Path, n_documents: int, codings_per_document: int = 2) -> Path:
    """A project of ``n_documents`` short documents, each with a few codings of one coder,
    inserted in bulk (the services' one-by-one import would dominate the time)."""
    from sqlalchemy import insert, select

    from db import models as m
    from desktop.services.codebook import codebook
    from desktop.services.project.project import Project
    from desktop.services.teams import coders

    rng = random.Random(9)
    with Project.create(path) as p:
        code_ids = [codebook.add_code(p, f"Theme {i}").id for i in range(12)]
        coder_id = coders.add_coder(p, "ana").id
        docs = []
        for i in range(n_documents):
            text = f"Report {i}. " + " ".join(rng.choice(_WORDS) for _ in range(40))
            docs.append(dict(name=f"report {i:06d}.txt", kind="txt", text=text, length=len(text),
                             sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), extra={}))  # fmt: skip
        with p.session() as s:
            s.execute(insert(m.Document.__table__), docs)
            rows = s.execute(select(m.Document.id, m.Document.text)).all()
            codings = []
            for did, text in rows:
                for k in range(codings_per_document):
                    start = 7 * k
                    end = start + 6
                    codings.append(dict(document_id=did, code_id=rng.choice(code_ids),
                                        coder_id=coder_id, start=start, end=end,
                                        quote=text[start:end], memo=""))  # fmt: skip
            s.execute(insert(m.Coding.__table__), codings)
    return path


def cli(*args: str | Path) -> dict:
    """Run ``tessera ARGS`` in a fresh interpreter: seconds, peak MB, exit code."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", _CLI, *map(str, args)],
        cwd=REPO, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("@@"):
            result = json.loads(line[2:])
            result["output"] = done.stdout + done.stderr
            return result
    raise RuntimeError(f"tessera {' '.join(map(str, args))} failed: {done.stderr[-2000:]}")


def counts_in(path: Path) -> dict:
    from desktop.services.project.project import Project

    with Project.open(path) as p:
        return p.info()


def documents_in(path: Path) -> int:
    return counts_in(path)["documents"]


def _hostile_inputs(tmp: Path) -> dict[str, Path]:
    from tests.safety.test_memory_limits import (
        codings_csv_with_memo,
        pdf_with_content,
        repeated_deflate,
    )

    bomb_qdpx = tmp / "bomb.qdpx"
    with (
        zipfile.ZipFile(bomb_qdpx, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("project.qde", "w", force_zip64=True) as fh,
    ):
        chunk = bytes(1 << 20)
        for _ in range(1536):
            fh.write(chunk)
    return {
        "PDF page inflating to 1.5 GB": pdf_with_content(
            tmp / "bomb.pdf", repeated_deflate(b" " * (1 << 20), 1536)
        ),
        "codings CSV with a 150 MB memo": codings_csv_with_memo(
            tmp / "memo.csv", 150 << 20, one_line=False
        ),
        ".qdpx whose project inflates to 1.5 GB": bomb_qdpx,
    }


def run(n_documents: int = DOCUMENTS) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        source = build_project(tmp / "source.tessera", n_documents)
        built = time.perf_counter() - t0
        qdpx = tmp / "export.qdpx"
        out = cli("refi", "export", source, "-o", qdpx)
        target = tmp / "target.tessera"
        cli("new", target)
        back = cli("refi", "import", "--add-codes", target, qdpx)
        imported = counts_in(target)
        with zipfile.ZipFile(qdpx) as zf:
            members = len(zf.infolist())
        label = f"{n_documents:,} documents"
        # per document: wall time, and CPU time (steadier on a machine shared with others)
        per_doc = {
            k: f"{1000 * r['seconds'] / n_documents:.2f} ms per document, "
               f"{1000 * r['cpu'] / n_documents:.2f} ms CPU"
            for k, r in (("out", out), ("in", back))
        }  # fmt: skip
        rows += [
            {"measure": f"REFI export, {label} (s)", "baseline": None,
             "value": round(out["seconds"], 2), "ratio": None,
             "target": f"(project built in {built:.0f} s; {members:,} members, "
                       f"{qdpx.stat().st_size / 1e6:.1f} MB; "
                       f"{per_doc['out']})"},
            {"measure": "REFI import of that export (s)", "baseline": round(out["seconds"], 2),
             "value": round(back["seconds"], 2), "ratio": None,
             "target": f"ratio <= {IMPORT_RATIO_TARGET:g} "
                       f"({per_doc['in']})"},
            {"measure": "REFI import: documents read back", "baseline": n_documents,
             "value": imported["documents"], "ratio": None, "target": f">= {n_documents}"},
            {"measure": "REFI import: codings read back", "baseline": 2 * n_documents,
             "value": imported["codings"], "ratio": None, "target": f">= {2 * n_documents}"},
            {"measure": "REFI export peak memory (MB)", "baseline": None,
             "value": round(out["peak_mb"], 1), "ratio": None,
             "target": f"value < {MEMORY_TARGET_MB:.0f} MB"},
            {"measure": "REFI import peak memory (MB)", "baseline": round(out["peak_mb"], 1),
             "value": round(back["peak_mb"], 1), "ratio": None,
             "target": f"value < {MEMORY_TARGET_MB:.0f} MB"},
        ]  # fmt: skip
        for what, path in _hostile_inputs(tmp).items():
            project = tmp / f"hostile-{path.suffix[1:]}.tessera"
            cli("new", project)
            if path.suffix == ".pdf":
                result = cli("import", project, path)
            elif path.suffix == ".csv":
                result = cli("codings", "import", project, path)
            else:
                result = cli("refi", "import", "--add-codes", project, path)
            refused = documents_in(project) == 0 and "limit" in result["output"]
            rows.append({
                "measure": f"import peak memory, {what} (MB)"
                           + ("" if refused else " NOT REFUSED"),
                "baseline": None, "value": round(result["peak_mb"], 1), "ratio": None,
                "target": f"value < {MEMORY_TARGET_MB:.0f} MB",
            })  # fmt: skip
    return rows


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    args = parser.parse_args()
    for row in run(args.documents):
        print(f"{row['measure']:52} {row['baseline']!s:>9} {row['value']!s:>9}  {row['target']}")


if __name__ == "__main__":
    main()
