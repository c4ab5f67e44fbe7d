"""Charts drawn with QtCharts: code frequencies as bars stacked by coder, and codings
over time by a document date attribute (stacked by code). The table of the numbers
is beside each chart; a chart is saved as PNG or SVG."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core import palette
from desktop.services.analysis import charts as svc
from desktop.ui.analysis.runner import QueryRunner

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost

KINDS = (("Codings per code, by coder", "coder"), ("Codings over time", "time"))
# Series take the code palette's colours in order: distinct for common colour blindness.
_PALETTE = palette.CANDIDATES


class ChartsTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.data: svc.ChartData | None = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind = QComboBox()
        for label, key in KINDS:
            self.kind.addItem(label, key)
        self.attribute = QLineEdit("date")
        self.attribute.setToolTip("The document attribute holding a date (YYYY-MM-DD)")
        self.attribute.setMaximumWidth(120)
        self.period = QComboBox()
        self.period.addItems(list(svc.PERIODS))
        self.period.setCurrentText("month")
        self.run_button = QPushButton("Draw")
        self.run_button.clicked.connect(self.run)
        self.kind.currentIndexChanged.connect(self._sync)
        for widget in (self.kind, self.attribute, self.period, self.run_button):
            row.addWidget(widget)
        row.addStretch(1)
        self.png_button = QPushButton("Save PNG…")
        self.png_button.clicked.connect(lambda: self.save("png"))
        self.svg_button = QPushButton("Save SVG…")
        self.svg_button.clicked.connect(lambda: self.save("svg"))
        row.addWidget(self.png_button)
        row.addWidget(self.svg_button)
        lay.addLayout(row)
        split = QSplitter()
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.table = QTableWidget()
        split.addWidget(self.view)
        split.addWidget(self.table)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([700, 300])
        self.table.setMaximumWidth(420)
        lay.addWidget(split, 1)
        self.runner = QueryRunner(win.runner)
        lay.addWidget(self.runner)
        self._sync()

    def refresh_choices(self) -> None:
        pass  # the charts use every code that has codings

    def _sync(self) -> None:
        timed = self.kind.currentData() == "time"
        self.attribute.setVisible(timed)
        self.period.setVisible(timed)

    def run(self) -> None:
        project, visible = self.win.project, self.win.visible_coders()
        kind, attribute, period = (
            self.kind.currentData(),
            self.attribute.text().strip() or "date",
            self.period.currentText(),
        )

        def work(progress, cancelled):
            if kind == "coder":
                return svc.frequencies_by_coder(
                    project, visible_coders=visible, progress=progress, cancelled=cancelled
                )
            return svc.over_time(project, attribute=attribute, period=period, visible_coders=visible,
                                 progress=progress, cancelled=cancelled)  # fmt: skip

        self.runner.run("Counting…", work, self.show_data)

    def show_data(self, data: svc.ChartData) -> None:
        self.data = data
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.setTitle(data.title)
        horizontal = self.kind.currentData() == "coder"
        series = QHorizontalStackedBarSeries() if horizontal else QStackedBarSeries()
        # horizontal bars are drawn bottom up: reversed, the first code is on top
        order = list(range(len(data.categories)))[:: -1 if horizontal else 1]
        for k, (name, values) in enumerate(zip(data.series, data.values, strict=True)):
            bar = QBarSet(name)
            bar.setColor(QColor(_PALETTE[k % len(_PALETTE)]))
            for i in order:
                bar.append(float(values[i]))
            series.append(bar)
        self.chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([_short(data.categories[i]) for i in order])
        values = QValueAxis()
        values.setLabelFormat("%d")
        top = (
            max((sum(col) for col in zip(*data.values, strict=True)), default=0)
            if data.values
            else 0
        )
        values.setRange(0, max(1, top))
        values.applyNiceNumbers()
        cat_side, value_side = (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom) if horizontal \
            else (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        self.chart.addAxis(cats, cat_side)
        self.chart.addAxis(values, value_side)
        series.attachAxis(cats)
        series.attachAxis(values)
        self._fill_table(data)
        note = (
            f"; {data.skipped} coding(s) in documents without a readable date left out"
            if data.skipped
            else ""
        )
        self.runner.say(f"{len(data.categories)} bar(s), {len(data.series)} part(s){note}")

    def _fill_table(self, data: svc.ChartData) -> None:
        self.table.clear()
        self.table.setRowCount(len(data.categories))
        self.table.setColumnCount(len(data.series) + 1)
        self.table.setHorizontalHeaderLabels([*data.series, "Total"])
        self.table.setVerticalHeaderLabels(list(data.categories))
        for i in range(len(data.categories)):
            total = 0
            for j in range(len(data.series)):
                v = data.values[j][i]
                total += v
                self.table.setItem(i, j, _number(v))
            self.table.setItem(i, len(data.series), _number(total))
        self.table.resizeColumnsToContents()

    def save(self, fmt: str) -> str | None:
        path = self.win.w.prompts.save_path(f"Save chart as {fmt.upper()}", f"chart.{fmt}",
                                            f"{fmt.upper()} (*.{fmt})")  # fmt: skip
        if not path:
            return None
        if fmt == "png":
            ok = self.view.grab().save(path, "PNG")
        else:
            size = self.view.size()
            gen = QSvgGenerator()
            gen.setFileName(path)
            gen.setSize(size)
            gen.setViewBox(QRect(0, 0, size.width(), size.height()))
            gen.setTitle(self.chart.title())
            painter = QPainter(gen)
            self.view.render(painter)
            ok = painter.end()
        self.runner.say(
            f"Chart saved to {path}" if ok else f"{path}: the chart could not be written"
        )
        return path if ok else None


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else "…" + label[-(width - 1) :]


def _number(v: int) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.ItemDataRole.DisplayRole, int(v))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
