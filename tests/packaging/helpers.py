"""Shared by the packaging tests: a user's empty home (data and config folders), and
starting the window offscreen to see that it comes up and stays up."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

SAMPLE = Path("Tessera") / "Sample project.tessera"  # under the user's data folder


def user_env(home: Path, path: str | None = None) -> dict[str, str]:
    """An environment whose user has nothing yet: own HOME, data and config folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    for name, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
        folder = home / sub if sub else home
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if path is not None:
        env["PATH"] = path
    return env


def window_stays_up(argv: list[str], env: dict[str, str], cwd: Path, seconds: float = 6.0):
    """Start the window; return (still running after ``seconds``, its stderr). A window
    that cannot start exits early with its reason on stderr."""
    with subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        alive = proc.poll() is None
        if alive:
            proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    return alive, err


def make_documents(folder: Path, shared: Path) -> list[Path]:
    """One document of each kind a user imports: txt, docx, html and pdf."""
    import docx  # python-docx, a dependency of Tessera

    folder.mkdir(parents=True, exist_ok=True)
    txt = folder / "talks.txt"
    txt.write_bytes((shared / "corpus" / "deraa-talks-fail.txt").read_bytes())
    word = docx.Document()
    word.add_paragraph("Ceasefire talks resumed in the capital on Monday.")
    word.add_paragraph("Both delegations agreed to exchange prisoners.")
    word.save(folder / "talks.docx")
    (folder / "talks.html").write_text(
        "<html><head><meta charset='utf-8'><title>Port protests</title></head><body>"
        "<article><h1>Port protests</h1><p>Dock workers marched through the port city on "
        "Tuesday, demanding back pay. Police closed the harbour road for hours.</p>"
        "<p>Union leaders said the strike would go on until wages are paid.</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    pdf = folder / "minutes.pdf"
    pdf.write_bytes((shared / "pdfs" / "google-doc-document.pdf").read_bytes())
    return [txt, folder / "talks.docx", folder / "talks.html", pdf]


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 300):
    """Run a command as the user types it; fail the test with its output if it fails."""
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def user_flow(tessera: list[str], env: dict[str, str], work: Path, shared: Path,
              templates: list[str], *, refi: bool = True) -> None:  # fmt: skip
    """What a new user does with an installed Tessera, from a folder of their own:
    a project from every template, documents of each kind imported, codings exported,
    a REFI-QDA round trip, and the window (which makes its sample project)."""
    work.mkdir(parents=True, exist_ok=True)
    for template in templates:
        project = work / f"{template}.tessera"
        out = run([*tessera, "new", str(project), "--template", template], env, work).stdout
        assert f"created {project}" in out
    project = work / "study.tessera"
    run([*tessera, "new", str(project), "--template", "conflict-news"], env, work)
    files = make_documents(work / "in", shared)
    out = run([*tessera, "import", str(project), *map(str, files)], env, work).stdout
    for kind, name in (("txt", "talks.txt"), ("docx", "talks.docx"), ("html", "talks.html"),
                       ("pdf", "minutes.pdf")):  # fmt: skip
        assert any(line.startswith("imported ") and f"({kind}," in line for line in
                   out.splitlines()), f"{name} not imported:\n{out}"  # fmt: skip
    codings = work / "codings.csv"
    run([*tessera, "export", str(project), "--what", "codings", "-o", str(codings)], env, work)
    assert codings.read_text(encoding="utf-8").splitlines()[0]  # the header, at least
    if refi:
        qdpx = work / "study.qdpx"
        run([*tessera, "refi", "export", str(project), "-o", str(qdpx)], env, work)
        again = work / "again.tessera"
        run([*tessera, "new", str(again)], env, work)
        out = run([*tessera, "refi", "import", str(again), str(qdpx), "--add-codes"], env,
                  work).stdout  # fmt: skip
        assert "imported" in out
        info = run([*tessera, "info", str(again)], env, work).stdout
        assert "documents" in info and " 4" in info.split("documents", 1)[1].splitlines()[0]
    alive, err = window_stays_up(tessera, env, cwd=work, seconds=8.0)
    assert alive, f"the window did not stay up:\n{err}"
    assert (Path(env["XDG_DATA_HOME"]) / SAMPLE).is_file(), "no sample project in the data folder"


# pypdf's names of the AES encryptions PDF writers use: AESV2 (PDF 1.6) and AESV3 (PDF 2.0)
AES_ALGORITHMS = ("AES-128", "AES-256-R5", "AES-256")


def owner_only_pdfs(folder: Path, shared: Path) -> list[Path]:
    """The same PDF encrypted with each AES variant, with an owner password only (a reader
    opens it without asking, as Tessera must): made by pypdf, a test dependency."""
    import pypdf

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for algorithm in AES_ALGORITHMS:
        writer = pypdf.PdfWriter(clone_from=shared / "pdfs" / "google-doc-document.pdf")
        writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
        path = folder / f"restricted-{algorithm}.pdf"
        with path.open("wb") as fh:
            writer.write(fh)
        out.append(path)
    return out
