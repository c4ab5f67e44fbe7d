"""The review models on their own, fed with service dataclasses and checked with Qt's
model tester."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import Qt

from desktop.core.agreement import corpus_agreement, format_value
from desktop.services.coding.codings import CodingInfo
from desktop.services.review.review import CoderVersion, ConsensusAgreement, Disagreement
from desktop.ui.review.models import (
    ConsensusModel,
    DisagreementModel,
    ReportModel,
    status_of,
)

NOW = datetime(2026, 1, 1)


def coding(i, coder, start, end, quote):
    return CodingInfo(i, 1, 7, coder, start, end, quote, "", NOW, NOW)


def disagreement(consensus=(), settled=(), decided=False):
    ana = CoderVersion(1, "Ana", (coding(1, 1, 0, 12, "talks failed"),))
    ben = CoderVersion(2, "Ben", ())
    return Disagreement(
        1, 7, "Claims/Denials", 0, 12, "talks failed", (ana, ben), ((0, 12),), "char",
        consensus, settled, decided,
    )  # fmt: skip


def test_disagreement_model(qapp, qtmodeltester):
    model = DisagreementModel()
    rows = [disagreement(), disagreement((coding(9, 3, 0, 12, "talks failed"),), (1,), True)]
    model.set_rows(rows, [(1, "Ana", "#4c78a8"), (2, "Ben", "#f58518")], {7: "#e6194b"})
    qtmodeltester.check(model)
    assert model.headers() == ["#", "Code", "Passage", "Ana", "Ben", "Consensus"]
    assert [model.index(0, c).data() for c in range(6)] == [
        "1", "Denials", "talks failed", "all", "not coded", "open"
    ]  # fmt: skip
    assert model.index(1, 5).data() == "Ana’s version"
    assert model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == "not coded"
    assert "Ana: coded “talks failed”; Ben: not coded" in model.index(0, 1).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert model.row_of(rows[1].key) == 0  # same passage: the first with that key


def test_status_in_words():
    names = {1: "Ana", 2: "Ben"}
    assert status_of(disagreement(), names) == "open"
    assert status_of(disagreement(settled=(2,), decided=True), names) == "not coded (as Ben)"
    own = (coding(9, 3, 2, 5, "lks"),)
    assert status_of(disagreement(own), names) == "own version"


def test_consensus_and_report_models(qapp, qtmodeltester):
    report = corpus_agreement(
        {"d": "abcdefghij"},
        {"Ana": [("d", "A", 0, 5)], "consensus": [("d", "A", 0, 4)]},
        ["A", "B"],
    )
    rows = [
        ConsensusAgreement(1, "Ana", report.find("A"), report, ("A", "B")),
        ConsensusAgreement(2, "Ben", None, None),
    ]
    model = ConsensusModel()
    model.set_rows(rows, {1: "#4c78a8"})
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(4)][0] == "Ana"
    assert model.index(0, 3).data() == "90.0 %"
    assert [model.index(1, c).data() for c in range(1, 4)] == ["n/a", "n/a", "n/a"]
    assert "No consensus yet" in model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "A: α" in model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)

    rm = ReportModel()
    rm.set_report(report)
    qtmodeltester.check(rm)
    assert rm.rowCount() == len(report.rows)
    b = next(r for r in range(rm.rowCount()) if rm.index(r, 0).data() == "B")
    assert rm.index(b, 8).data() == "n/a"
    assert rm.index(b, 8).data(Qt.ItemDataRole.ToolTipRole)
    rm.set_report(None)
    assert rm.rowCount() == 0


def test_report_table_shows_bennett_s_and_gwet_ac1(qapp, qtmodeltester):
    """The dialog's table has the coefficients MAXQDA and Gwet's readers look for, with
    the same values as the JSON, and the HTML report has the same columns."""
    report = corpus_agreement(
        {"d": "abcdefghijklmnopqrst"},
        {"Ana": [("d", "A", 0, 8), ("d", "A", 12, 16)], "Ben": [("d", "A", 2, 9)]},
        ["A"],
    )
    rm = ReportModel()
    rm.set_report(report)
    qtmodeltester.check(rm)
    headers = [rm.headerData(c, Qt.Orientation.Horizontal) for c in range(rm.columnCount())]
    row = report.find("A")
    for short, title, value in (("S", "Bennett's S", row.result.bennett_s.value),
                                ("AC1", "Gwet's AC1", row.result.gwet_ac1.value)):  # fmt: skip
        col = headers.index(short)
        assert rm.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == title
        pooled = next(r for r in range(rm.rowCount()) if rm.index(r, 1).data() == "all documents")
        assert rm.index(pooled, col).data() == format_value("bennett_s", value)
        assert html.escape(title) in report.to_html()
