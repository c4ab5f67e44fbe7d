"""The agreement dialog's set of mutually exclusive codes: ticked beside the code list,
passed to the service, shown as its own labelled row (alpha over the code set, the same
as ``tessera agreement --exclusive``), saved in the CSV and HTML; and the last coders,
unit and exclusive set remembered per project in the window's settings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import lxml.html
import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.cli.main import main as cli_main
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders
from desktop.ui.review.agreement import EXCLUSIVE_SUFFIX, AgreementDialog
from desktop.ui.workers import TaskRunner

CLAIMS = ["Claims/Accusations", "Claims/Demands", "Claims/Denials"]
SET_NAME = " | ".join(CLAIMS)  # how the report names the set
DOC1 = (
    "The rebels accused the army of shelling the market. The army denied it. "
    "Elders demanded a ceasefire before the talks. Nobody answered them."
)
DOC2 = (
    "A monitor accused both sides of abuses. The governor demanded calm. "
    "Officials denied any part in the killings. The rebels demanded an inquiry."
)
TEXTS = {1: DOC1, 2: DOC2}
# (coder, code, document, passage): agreement with some disagreement on the claims
CODINGS = [
    ("ana", "Claims/Accusations", 1, "The rebels accused the army of shelling the market."),
    ("ben", "Claims/Accusations", 1, "The rebels accused the army of shelling the market."),
    ("ana", "Claims/Denials", 1, "The army denied it."),
    ("ben", "Claims/Demands", 1, "The army denied it."),
    ("ana", "Claims/Demands", 1, "Elders demanded a ceasefire before the talks."),
    ("ben", "Claims/Demands", 1, "Elders demanded a ceasefire before the talks."),
    ("ana", "Claims/Accusations", 2, "A monitor accused both sides of abuses."),
    ("ben", "Claims/Accusations", 2, "A monitor accused both sides of abuses."),
    ("ana", "Claims/Demands", 2, "The governor demanded calm."),
    ("ben", "Claims/Demands", 2, "The governor demanded"),
    ("ana", "Claims/Denials", 2, "Officials denied any part in the killings."),
    ("ben", "Claims/Denials", 2, "Officials denied any part in the killings."),
    ("ben", "Claims/Accusations", 2, "Officials denied any part"),  # two codes: a conflict
    ("ana", "Claims/Demands", 2, "The rebels demanded an inquiry."),
    ("ana", "Actors/Civilians", 1, "Elders"),
    ("ben", "Actors/Civilians", 1, "Elders"),
    ("cy", "Actors/Civilians", 2, "A monitor"),
]


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "p.tessera"
    p = Project.create(path, template="conflict-news")
    docs = {
        1: documents.add_document(p, name="one.txt", text=DOC1, kind="txt").id,
        2: documents.add_document(p, name="two.txt", text=DOC2, kind="txt").id,
    }
    ids = {name: coders.add_coder(p, name).id for name in ("ana", "ben", "cy")}
    code_ids = {c.path: c.id for c in codebook.list_codes(p)}
    for who, code, doc, passage in CODINGS:
        start = TEXTS[doc].index(passage)
        codings.apply_coding(
            p, document_id=docs[doc], code_id=code_ids[code], coder_id=ids[who],
            start=start, end=start + len(passage),
        )  # fmt: skip
    p.close()
    return path


def cli_report(path: Path, capsys, *extra: str) -> dict:
    capsys.readouterr()
    argv = [
        "agreement",
        str(path),
        "--coders",
        "ana,ben",
        "--by-document",
        "--exclusive",
        *CLAIMS,
        *extra,
    ]
    assert cli_main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def make_dialog(qtbot, project_path, tmp_path):
    runner = TaskRunner()
    opened: list = []
    qsettings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    def make(group: str = "projects/p/agreement") -> AgreementDialog:
        project = Project.open(project_path)
        answers: list[str | None] = []
        dlg = AgreementDialog(
            project,
            runner,
            save_path=lambda *_a: answers.pop(0) if answers else None,  # no file dialog
            qsettings=qsettings,
            settings_group=group,
        )
        dlg.answers = answers
        qtbot.addWidget(dlg)
        dlg.show()
        opened.append(dlg)
        return dlg

    make.qsettings = qsettings
    yield make
    for dlg in opened:
        if dlg.task is not None:
            dlg.task.cancel()
    runner.wait(10_000)
    for dlg in opened:
        dlg.project.close()


def tick(lst, paths: list[str]) -> None:
    """Tick as the user does: by the item's check box."""
    for i in range(lst.count()):
        item = lst.item(i)
        if item.data(Qt.ItemDataRole.UserRole + 1) in paths:
            item.setCheckState(Qt.CheckState.Checked)


def table(dlg) -> list[list[str]]:
    m = dlg.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def compute(dlg, qtbot) -> None:
    task = dlg.compute()
    assert task is not None, dlg.status.text()
    with qtbot.waitSignal(task.channel.finished, timeout=10_000):
        pass


def test_the_exclusive_set_row_has_the_alpha_of_the_cli(make_dialog, qtbot, project_path, capsys):
    expected = cli_report(project_path, capsys)
    dlg = make_dialog()
    assert dlg.exclusive_list.count() == dlg.code_list.count()
    assert "mutually exclusive" in dlg.exclusive_list.toolTip().lower()
    assert "alpha" in dlg.exclusive_list.item(0).toolTip()
    dlg.set_checked("coders", ["ana", "ben"])
    tick(dlg.exclusive_list, CLAIMS)
    assert dlg.choices()["exclusive"] == CLAIMS
    compute(dlg, qtbot)

    sets = [r for r in expected["rows"] if r["kind"] == "exclusive set"]
    assert {r["code"] for r in sets} == {SET_NAME} and len(sets) == 3  # pooled + 2 documents
    rows = table(dlg)
    label = SET_NAME + EXCLUSIVE_SUFFIX
    for want in sets:
        where = want["document"] or "all documents"
        i = next(i for i, r in enumerate(rows) if r[:2] == [label, where])
        got = dlg.report.find(SET_NAME, want["document"])
        assert got.kind == "exclusive set"
        assert got.value("krippendorff_alpha") == pytest.approx(want["krippendorff_alpha"])
        assert rows[i][8] == f"{want['krippendorff_alpha']:.3f}"
        assert rows[i][2] == f"{want['units']:,}"
    pooled = next(r for r in sets if r["document"] is None)
    assert pooled["conflicts"] > 0 and 0 < pooled["krippendorff_alpha"] < 1
    i = rows.index(next(r for r in rows if r[:2] == [label, "all documents"]))
    tip = dlg.model.index(i, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "alpha is over the code set" in tip and f": {pooled['conflicts']:,}." in tip
    # the codes are still reported one by one, as by the CLI
    code_rows = [r for r in expected["rows"] if r["kind"] == "code"]
    assert len(rows) == len(expected["rows"])
    assert sum(not r[0].endswith(EXCLUSIVE_SUFFIX) for r in rows) == len(code_rows)
    assert "mutually exclusive set" in dlg.summary.text() and SET_NAME in dlg.summary.text()


def test_the_set_row_is_saved_in_csv_and_html(make_dialog, qtbot, project_path, capsys, tmp_path):
    html_cli = tmp_path / "cli.html"
    expected = cli_report(project_path, capsys, "--html", str(html_cli))
    alpha = next(
        r["krippendorff_alpha"]
        for r in expected["rows"]
        if r["kind"] == "exclusive set" and r["document"] is None
    )
    dlg = make_dialog()
    dlg.set_checked("coders", ["ana", "ben"])
    dlg.set_checked("exclusive", CLAIMS)
    compute(dlg, qtbot)
    csv_path, html_path = tmp_path / "a.csv", tmp_path / "a.html"
    dlg.answers[:] = [str(csv_path), str(html_path)]
    dlg.save_csv_button.click()
    dlg.save_html_button.click()

    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    sets = [r for r in rows if r["kind"] == "exclusive set"]
    assert [(r["code"], r["document"]) for r in sets] == [
        (SET_NAME, ""), (SET_NAME, "one.txt"), (SET_NAME, "two.txt"),
    ]  # fmt: skip
    assert sets[0]["krippendorff_alpha"] == f"{alpha:.6f}"

    def set_cells(path: Path) -> list[str]:
        page = lxml.html.fromstring(path.read_text("utf-8"))
        body = page.find_class("per-code")[0].find("tbody")
        row = next(tr for tr in body.findall("tr") if tr[0].text == SET_NAME)
        return [td.text for td in row]

    cells = set_cells(html_path)
    assert cells[9] == f"{alpha:.3f}"
    assert cells == set_cells(html_cli)  # the same row as the CLI's report


def test_one_exclusive_code_is_not_a_set(make_dialog):
    dlg = make_dialog()
    dlg.set_checked("exclusive", CLAIMS[:1])
    assert dlg.compute() is None and dlg.task is None
    assert "two or more mutually exclusive codes" in dlg.status.text()
    dlg.set_checked("exclusive", [])
    assert "exclusive" not in dlg.choices()


def test_last_choices_are_remembered_per_project(make_dialog, qtbot):
    first = make_dialog()
    assert first.choices()["coders"] == ["ana", "ben", "cy"]  # all who coded, by default
    first.set_checked("coders", ["ana", "cy"])
    first.unit_box.setCurrentIndex(first.unit_box.findData("word"))
    first.set_checked("exclusive", CLAIMS)
    compute(first, qtbot)
    first.close()

    again = make_dialog()
    assert again.choices() == {"coders": ["ana", "cy"], "documents": None, "codes": None,
                               "unit": "word", "exclusive": CLAIMS}  # fmt: skip
    # closing keeps the changes too, even without computing
    again.set_checked("exclusive", CLAIMS[1:])
    again.unit_box.setCurrentIndex(again.unit_box.findData("sentence"))
    again.close()
    third = make_dialog()
    assert third.choices()["unit"] == "sentence"
    assert third.choices()["exclusive"] == CLAIMS[1:]

    other = make_dialog("projects/other/agreement")  # another project: the defaults
    assert other.choices() == {"coders": ["ana", "ben", "cy"], "documents": None,
                               "codes": None, "unit": "char"}  # fmt: skip
    # a remembered set that no longer names two coders keeps the default ticks
    make_dialog.qsettings.setValue("projects/gone/agreement/coders", ["ana", "zoe"])
    make_dialog.qsettings.setValue("projects/gone/agreement/exclusive", "Claims/Demands")
    gone = make_dialog("projects/gone/agreement")
    assert gone.choices()["coders"] == ["ana", "ben", "cy"]
    assert gone.choices()["exclusive"] == ["Claims/Demands"]  # one string from the INI file


def test_the_window_remembers_them_in_its_settings(qtbot, tmp_path, project_path):
    from desktop.ui.workbench.main_window import MainWindow, project_key

    class Prompts:
        def ask_coder(self, names, current=""):
            return "ana"

        def __getattr__(self, name):
            return lambda *a, **k: None  # no modal dialog ever shows

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    mw = MainWindow(Project.open(project_path), settings=settings, prompts=Prompts())
    qtbot.addWidget(mw)
    try:
        menu = next(a.menu() for a in mw.menuBar().actions() if a.text() == "&Review")
        agreement = next(a for a in menu.actions() if a.text() == "&Agreement…")
        agreement.trigger()
        dlg = mw.agreement_dialog
        dlg.set_checked("coders", ["ana", "ben"])
        dlg.set_checked("exclusive", CLAIMS)
        dlg.unit_box.setCurrentIndex(dlg.unit_box.findData("word"))
        compute(dlg, qtbot)
        assert any(r[0] == SET_NAME + EXCLUSIVE_SUFFIX for r in table(dlg))
        dlg.close()
        group = f"projects/{project_key(project_path)}/agreement"
        assert settings.value(f"{group}/unit") == "word"

        mw.agreement_dialog = None  # a new dialog reads them back
        agreement.trigger()
        dlg = mw.agreement_dialog
        assert dlg.choices() == {"coders": ["ana", "ben"], "documents": None, "codes": None,
                                 "unit": "word", "exclusive": CLAIMS}  # fmt: skip
        dlg.close()
    finally:
        mw.shutdown()
