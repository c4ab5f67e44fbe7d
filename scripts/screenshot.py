"""Render the workbench offscreen to docs/screenshot.png: the sample project, an article
open with several codings (overlapping ones, two coders), the codebook and the panel.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot.py [OUT.png [THEME [WxH]]]

THEME is light (the default) or dark; WxH the window's size (1600x900 by default). With no
argument it writes docs/screenshot.png (1600x900), the small-screen views
docs/window-1366x768.png and docs/window-1024x700.png, both themes at 1024x700 and
1600x1000 (docs/light-*.png, docs/dark-*.png), and the Analysis window's coded passages
(docs/analysis.png, 1366x768).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.app import create_sample_project  # noqa: E402
from desktop.services.codebook import codebook  # noqa: E402
from desktop.services.coding import codings  # noqa: E402
from desktop.services.documents import documents  # noqa: E402
from desktop.services.teams import coders  # noqa: E402

# (code path, passage, coder): passages of deraa-talks-fail.txt
CODINGS = [
    ("Actors/International actors", "Syria's regime and its ally Russia", "Maya"),
    ("Actors/State forces", "Syria's regime", "Maya"),
    ("Claims/Accusations", 'rebels said talks over a government takeover had "failed"', "Maya"),
    ("Actors/Armed groups", "rebels", "Maya"),
    ("Actors/State forces", "President Bashar Al Assad", "Maya"),
    ("Actors/International actors", "Russia has been backing a two-week offensive", "Maya"),
    ("Actors/Armed groups", "rebel towns", "Maya"),
    ("Claims/Demands", "negotiated surrenders", "Jonas"),
    ("Actors/International actors", "Russia and the regime", "Jonas"),
    ("Claims/Accusations", 'rebels said talks over a government takeover had "failed"', "Jonas"),
]


def main(
    out: Path, mode: str = "light", size: tuple[int, int] = (1600, 900),
    analysis: Path | None = None,
) -> Path:  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="tessera-shot-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from desktop.ui.look import apply_style
    from desktop.ui.workbench.main_window import MainWindow, project_key

    apply_style(app, mode)
    project = create_sample_project(tmp)
    doc = documents.find_document(project, "deraa-talks-fail.txt")
    text = documents.get_text(project, doc.id)
    paths = codebook.code_paths(project)
    memo = {0: "Regime and Russia named together as one side."}
    for i, (path, passage, coder_name) in enumerate(CODINGS):
        coder = coders.get_or_add_coder(project, coder_name)
        start = text.index(passage)
        codings.apply_coding(project, document_id=doc.id, code_id=paths[path], coder_id=coder.id,
                             start=start, end=start + len(passage), memo=memo.get(i, ""))  # fmt: skip
    settings = QSettings()
    key = project_key(project.path)
    settings.setValue(f"projects/{key}/coder", "Maya")
    settings.setValue(f"projects/{key}/view", "all")
    settings.setValue(f"projects/{key}/document", doc.id)
    window = MainWindow(project, settings=settings)
    window.resize(*size)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.viewer.verticalScrollBar().setValue(0)
    first = window.current_codings[2].id
    window.show_coding(first)
    window.viewer.verticalScrollBar().setValue(0)
    # a code selected, so that the inspector shows a definition with its criteria
    window.codebook_ui.tree.select_code(paths["Claims/Accusations"])
    window.show_coding(first)
    window.viewer.verticalScrollBar().setValue(0)
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    if analysis is not None:
        _analysis(app, window, analysis)
    window.shutdown()
    return out


def _analysis(app, window, out: Path) -> None:
    """The Analysis window's Coded passages: Actors with its sub-codes, in their sentences."""
    import time

    from desktop.ui.analysis import open_analysis

    open_analysis(window, "passages")
    win = window.analysis_window
    win.resize(1366, 768)
    tab = win.passages
    tab.code_a.setCurrentText("Actors")
    tab.subcodes.setChecked(True)
    tab.context.setCurrentIndex(tab.context.findData("sentence"))
    done: list = []
    tab.runner.finished.connect(lambda *_: done.append(True))
    tab.run()
    deadline = time.monotonic() + 30
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(10):
        app.processEvents()
    win.grab().save(str(out))
    win.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        mode = sys.argv[2] if len(sys.argv) > 2 else "light"
        size = tuple(int(n) for n in sys.argv[3].split("x")) if len(sys.argv) > 3 else (1600, 900)
        print(main(Path(sys.argv[1]), mode, size))
    else:
        docs = ROOT / "docs"
        print(main(docs / "screenshot.png", analysis=docs / "analysis.png"))
        for w, h in ((1366, 768), (1024, 700)):
            print(main(docs / f"window-{w}x{h}.png", "light", (w, h)))
        for mode in ("light", "dark"):
            for w, h in ((1024, 700), (1600, 1000)):
                print(main(docs / f"{mode}-{w}x{h}.png", mode, (w, h)))
