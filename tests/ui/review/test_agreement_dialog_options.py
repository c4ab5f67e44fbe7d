"""The agreement dialog offers what ``tessera agreement`` offers: "(none)" as a value of
a set of mutually exclusive codes, counting only units inside a stretch anyone coded,
and a bootstrap interval of alpha with N and a seed, run in the worker with progress and
Cancel; the values are the CLI's, the report states each choice, and saved files keep
them."""

from __future__ import annotations

import csv
import io
import threading

import lxml.html
import pytest
from PySide6.QtCore import Qt

from tests.ui.review import test_agreement_dialog_exclusive as claims
from tests.ui.review.test_agreement_dialog_exclusive import (
    CLAIMS,
    EXCLUSIVE_SUFFIX,
    SET_NAME,
    cli_report,
    compute,
    table,
    tick,
)

# the project of claims and the dialog factory of the exclusive-set tests
project_path = claims.project_path
make_dialog = claims.make_dialog


def pooled(data: dict, code: str) -> dict:
    return next(r for r in data["rows"] if r["code"] == code and r["document"] is None)


def row_of(dlg, code: str) -> list[str]:
    return next(r for r in table(dlg) if r[:2] == [code, "all documents"])


def test_none_as_value_is_a_checkbox_under_the_set(make_dialog, qtbot, project_path, capsys):
    given = pooled(cli_report(project_path, capsys), SET_NAME)
    want = pooled(cli_report(project_path, capsys, "--none-as-value"), SET_NAME)
    assert want["krippendorff_alpha"] != given["krippendorff_alpha"]
    dlg = make_dialog()
    box = dlg.options.none_as_value
    assert not box.isEnabled()  # no set ticked yet
    assert "agreement given that both coded" in box.toolTip()
    dlg.set_checked("coders", ["ana", "ben"])
    tick(dlg.exclusive_list, CLAIMS)
    assert box.isEnabled()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert dlg.choices()["none_as_value"] is True
    compute(dlg, qtbot)
    got = dlg.report.find(SET_NAME)
    assert got.value("krippendorff_alpha") == pytest.approx(want["krippendorff_alpha"])
    assert got.result.pairable_values == want["pairable_values"]
    assert row_of(dlg, SET_NAME + EXCLUSIVE_SUFFIX)[8] == f"{want['krippendorff_alpha']:.3f}"
    assert "(none)" in dlg.summary.text() and "coding against not coding" in dlg.summary.text()
    i = next(i for i, r in enumerate(table(dlg)) if r[0] == SET_NAME + EXCLUSIVE_SUFFIX)
    assert "is the value (none)" in dlg.model.index(i, 0).data(Qt.ItemDataRole.ToolTipRole)
    dlg.close()
    assert make_dialog().options.none_as_value.isChecked()  # remembered
    # without a set the box does nothing and asks nothing of the service
    dlg.set_checked("exclusive", [])
    assert "none_as_value" not in dlg.choices()


def test_only_units_inside_a_stretch_anyone_coded(make_dialog, qtbot, project_path, capsys):
    want = cli_report(project_path, capsys, "--coded-stretches", "sentence")
    every = cli_report(project_path, capsys)
    dlg = make_dialog()
    dlg.set_checked("coders", ["ana", "ben"])
    dlg.set_checked("exclusive", CLAIMS)
    box = dlg.options.stretch_box
    box.setCurrentIndex(box.findData("sentence"))
    assert box.currentText() == "only in coded sentences"
    assert dlg.choices()["coded_stretches"] == "sentence"
    compute(dlg, qtbot)
    for code in ("Actors/Civilians", "Claims/Demands", SET_NAME):
        got = dlg.report.find(code)
        assert got.units == pooled(want, code)["units"] < pooled(every, code)["units"]
        assert got.value("cohen_kappa") == pytest.approx(pooled(want, code)["cohen_kappa"])
    assert "Units counted: only units inside a sentence" in dlg.summary.text()
    box.setCurrentIndex(box.findData(None))
    assert "coded_stretches" not in dlg.choices()


def test_bootstrap_with_n_and_seed_in_the_worker(
    make_dialog, qtbot, project_path, capsys, tmp_path
):
    want = cli_report(project_path, capsys, "--bootstrap", "500", "--seed", "7",
                      "--unit", "sentence")["bootstrap"]  # fmt: skip
    dlg = make_dialog()
    opts = dlg.options
    assert not opts.samples_box.isEnabled() and not opts.seed_box.isEnabled()
    qtbot.mouseClick(opts.bootstrap_box, Qt.MouseButton.LeftButton)
    assert opts.samples_box.isEnabled() and opts.seed_box.value() == 1
    opts.samples_box.setValue(500)
    opts.seed_box.setValue(7)
    dlg.set_checked("coders", ["ana", "ben"])
    dlg.set_checked("exclusive", CLAIMS)
    dlg.unit_box.setCurrentIndex(dlg.unit_box.findData("sentence"))
    seen: list = []
    task = dlg.compute()
    task.channel.progress.connect(seen.append)
    with qtbot.waitSignal(task.channel.finished, timeout=20_000):
        pass
    kinds = {what for what, _done, _total in seen}
    assert kinds <= {"document", "bootstrap sample"} and "bootstrap sample" in kinds
    assert seen[-1][0] == "bootstrap sample" and seen[-1][1] == seen[-1][2] == 500 * len(want)

    headers = [dlg.model.headerData(c, Qt.Orientation.Horizontal) for c in range(11, 14)]
    assert headers == ["α 95 % interval", "q(α < 0.667)", "q(α < 0.8)"]
    for b in want:
        label = b["code"] + (EXCLUSIVE_SUFFIX if b["code"] == SET_NAME else "")
        low, high = b["interval"]
        cells = row_of(dlg, label)
        assert cells[11:] == [f"[{low:.3f}, {high:.3f}]", f"{b['q']['0.667']:.3f}",
                             f"{b['q']['0.8']:.3f}"]  # fmt: skip
    assert "500 samples, seed 7" in dlg.summary.text()
    per_doc = next(i for i, r in enumerate(table(dlg)) if r[1] == "one.txt")
    assert dlg.model.index(per_doc, 11).data() is None  # only rows over all documents

    csv_path, html_path = tmp_path / "b.csv", tmp_path / "b.html"
    dlg.answers[:] = [str(csv_path), str(html_path)]
    dlg.save_csv_button.click()
    dlg.save_html_button.click()
    rows = {(r["code"], r["document"]): r for r in csv.DictReader(io.StringIO(
        csv_path.read_text("utf-8")))}  # fmt: skip
    first = want[0]
    assert float(rows[(first["code"], "")]["alpha_low"]) == pytest.approx(first["interval"][0])
    page = lxml.html.fromstring(html_path.read_text("utf-8"))
    boot = page.find_class("bootstrap")[0].find("tbody").findall("tr")
    assert [tr[0].text for tr in boot] == [b["code"] for b in want]
    assert "500 samples, seed 7" in html_path.read_text("utf-8")


def test_cancel_stops_the_bootstrap(make_dialog, qtbot, monkeypatch):
    from desktop.services.review import agreement as service

    gate, started = threading.Event(), threading.Event()
    real = service.project_bootstrap

    def slow(report, **kw):
        started.set()
        progress = kw.pop("progress")

        def step(done, total):
            gate.wait(5)
            progress(done, total)

        return real(report, progress=step, **kw)

    monkeypatch.setattr("desktop.ui.review.agreement.project_bootstrap", slow)
    dlg = make_dialog()
    dlg.options.bootstrap_box.setChecked(True)
    dlg.options.samples_box.setValue(100_000)
    task = dlg.compute()
    assert started.wait(10)  # the agreement is computed: the bootstrap has begun
    dlg.cancel_button.click()
    with qtbot.waitSignal(task.channel.failed, timeout=20_000):
        gate.set()
    assert dlg.status.text() == "Cancelled." and dlg.report is None
    assert dlg.compute_button.isEnabled()
