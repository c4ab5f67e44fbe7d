"""Charts drawn with QtCharts: code frequencies as bars stacked by coder, document set,
case or a document attribute; codings over time by a document date attribute (stacked
by code); and a number field of the codings summed over time (split by code, coder or
another field). The table of the numbers is beside each chart; a chart is saved as PNG
or SVG."""

from __future__ import annotations

import contextlib
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
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QColor, QCursor, QFontMetrics, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.core import palette, wording
from desktop.services.analysis import charts as svc
from desktop.services.analysis.selection import DOCUMENT_COLUMNS
from desktop.services.errors import ServiceError
from desktop.ui import theme
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.analysis.scope import SetChooser

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost

KINDS = (("Codings per code", "codes"), ("Codings over time", "time"),
         ("A number field over time", "field"))  # fmt: skip
STACKS = ("coder", "set", "case", *[c for c in DOCUMENT_COLUMNS if c not in ("name", "url")])
NO_SPLIT = "—"
# Series take the code palette's colours in order: distinct for common colour blindness.
_PALETTE = palette.CANDIDATES


def _labelled(text: str, widget: QWidget) -> QWidget:
    """A label and its field, shown and hidden together."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text)
    label.setBuddy(widget)
    lay.addWidget(label)
    lay.addWidget(widget)
    return box


class ChartsTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.data: svc.ChartData | None = None
        self.drawn_kind = "codes"
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind = QComboBox()
        for label, key in KINDS:
            self.kind.addItem(label, key)
        self.set_choice = SetChooser()
        self.run_button = QPushButton("Draw")
        self.run_button.clicked.connect(self.run)
        self.png_button = QPushButton("Save PNG…")
        self.png_button.clicked.connect(lambda: self.save("png"))
        self.svg_button = QPushButton("Save SVG…")
        self.svg_button.clicked.connect(lambda: self.save("svg"))
        for widget in (self.kind, self.set_choice, self.run_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.png_button)
        row.addWidget(self.svg_button)
        lay.addLayout(row)

        # what each kind of chart asks for, on a second line
        self.stack = QComboBox()
        self.stack.setEditable(True)
        self.stack.addItems(list(STACKS))
        self.stack.setToolTip("coder, set, case, or any document attribute")
        self.code = QComboBox()
        self.code.setToolTip("The code whose codings' field is summed (with its sub-codes)")
        self.code.currentTextChanged.connect(self._fill_fields)
        self.field = QComboBox()
        self.field.setToolTip("A number field of the code's codings")
        self.split = QComboBox()
        self.split.setToolTip("One series per code, per coder, or per value of another field")
        self.period = QComboBox()
        self.period.addItems(list(svc.PERIODS))
        self.attribute = QLineEdit("date")
        self.attribute.setToolTip("The document attribute holding a date (YYYY-MM-DD)")
        self.attribute.setMaximumWidth(110)
        self.options = {
            "stack": _labelled("Stacked by", self.stack),
            "code": _labelled("Code", self.code),
            "field": _labelled("sum of", self.field),
            "split": _labelled("split by", self.split),
            "period": _labelled("per", self.period),
            "attribute": _labelled("of the date", self.attribute),
        }
        row = QHBoxLayout()
        for box in self.options.values():
            row.addWidget(box)
        row.addStretch(1)
        lay.addLayout(row)

        self.splitter = split = QSplitter()
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
        lay.addWidget(split, 1)
        self.runner = QueryRunner(win.runner)
        lay.addWidget(self.runner)
        self.kind.currentIndexChanged.connect(self._sync)
        self.refresh_choices()
        self._sync()
        self._apply_theme()

    def changeEvent(self, e) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:  # the theme changed
            self._apply_theme()

    def _apply_theme(self) -> None:
        """The chart in the theme's colours (its bars keep the code palette's)."""
        t = theme.current()
        self.chart.setBackgroundBrush(t.colour("base"))
        self.chart.setTitleBrush(t.colour("ink"))
        self.chart.legend().setLabelColor(t.colour("ink"))
        for axis in self.chart.axes():
            axis.setLabelsColor(t.colour("ink"))
            axis.setGridLineColor(t.colour("line"))
            axis.setLinePenColor(t.colour("border"))

    def refresh_choices(self) -> None:
        """Frequencies use every code that has codings; the field chart lists the codes."""
        current = self.code.currentText()
        self.code.blockSignals(True)
        self.code.clear()
        self.code.addItems(self.win.code_paths())
        if current:
            self.code.setCurrentText(current)
        self.code.blockSignals(False)
        self._fill_fields()
        self.set_choice.fill(self.win.set_names())

    def _fill_fields(self) -> None:
        numbers, others = [], []
        if self.code.currentText():
            with contextlib.suppress(ServiceError):  # a code deleted meanwhile: none to offer
                numbers, others = svc.code_fields(self.win.project, self.code.currentText())
        field, split = self.field.currentText(), self.split.currentText()
        self.field.clear()
        self.field.addItems(numbers)
        self.split.clear()
        self.split.addItem(NO_SPLIT, None)
        for value in ("code", "coder", *others, *numbers):
            self.split.addItem(value, value)
        for box, value in ((self.field, field), (self.split, split)):
            if box.findText(value) >= 0:
                box.setCurrentText(value)

    def _sync(self) -> None:
        kind = self.kind.currentData()
        shown = {"codes": ("stack",), "time": ("period", "attribute"),
                 "field": ("code", "field", "split", "period", "attribute")}[kind]  # fmt: skip
        for name, box in self.options.items():
            box.setVisible(name in shown)

    def run(self) -> None:
        project, visible = self.win.project, self.win.visible_coders()
        kind = self.kind.currentData()
        attribute, period = self.attribute.text().strip() or "date", self.period.currentText()
        stack = self.stack.currentText().strip() or "coder"
        code, field, by = (
            self.code.currentText(),
            self.field.currentText(),
            self.split.currentData(),
        )
        chosen = self.set_choice.sets()
        if kind == "field" and not field:
            self.runner.say(
                f"{code or 'This code'} has no number field to sum: choose another code."
            )
            return

        def work(progress, cancelled):
            common = dict(sets=chosen, visible_coders=visible, progress=progress,
                          cancelled=cancelled)  # fmt: skip
            if kind == "codes":
                return svc.frequencies(project, by=stack, **common)
            if kind == "time":
                return svc.over_time(project, attribute=attribute, period=period, **common)
            return svc.field_over_time(project, code, field, by=by, attribute=attribute,
                                       period=period, **common)  # fmt: skip

        self.runner.run("Counting…", work, lambda data: self.show_data(data, kind))

    def show_data(self, data: svc.ChartData, kind: str = "codes") -> None:
        self.data, self.drawn_kind = data, kind
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.setTitle(data.title)
        horizontal = kind == "codes"
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
        # axis labels longer than the room are shortened: hovering a bar names it whole
        series.hovered.connect(
            lambda on, i, bar: self._hover_bar(on, data.categories[order[i]], bar, i)
        )
        cats = QBarCategoryAxis()
        labels = [_short(data.categories[i]) for i in order]
        cats.append(labels)
        if not horizontal and labels:
            # labels side by side that do not fit under their bars are written upwards
            widest = max(QFontMetrics(cats.labelsFont()).horizontalAdvance(x) for x in labels)
            if (widest + 12) * len(labels) > max(200, self.view.width() - 120):
                cats.setLabelsAngle(-90)
        values = QValueAxis()
        whole = all(float(v).is_integer() for row in data.values for v in row)
        values.setLabelFormat("%d" if whole else "%.1f")
        top = max((sum(col) for col in zip(*data.values, strict=True)), default=0)
        values.setRange(0, max(1, top))
        values.applyNiceNumbers()
        cat_side, value_side = (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom) if horizontal \
            else (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        self.chart.addAxis(cats, cat_side)
        self.chart.addAxis(values, value_side)
        series.attachAxis(cats)
        series.attachAxis(values)
        self._apply_theme()
        self._fill_table(data)
        note = (
            f"; {wording.count(data.skipped, 'coding')} in documents without a readable date left out"
            if data.skipped
            else ""
        )
        self.runner.say(
            f"{wording.count(len(data.categories), 'bar')}, {wording.count(len(data.series), 'part')}{note}"
        )

    def bar_tip(self, category: str, bar: QBarSet, index: int) -> str:
        """What a bar's tooltip says: the whole category, the part and its value."""
        value = bar.at(index)
        shown = f"{int(value):,}" if float(value).is_integer() else f"{value:g}"
        return f"{category}\n{bar.label()}: {shown}"

    def _hover_bar(self, on: bool, category: str, bar: QBarSet, index: int) -> None:
        if on:
            QToolTip.showText(QCursor.pos(), self.bar_tip(category, bar, index), self.view)
        else:
            QToolTip.hideText()

    def _fill_table(self, data: svc.ChartData) -> None:
        self.table.clear()
        self.table.setRowCount(len(data.categories))
        self.table.setColumnCount(len(data.series) + 1)
        self.table.setHorizontalHeaderLabels([*data.series, "Total"])
        self.table.setVerticalHeaderLabels(list(data.categories))
        for i in range(len(data.categories)):
            total = 0.0
            for j in range(len(data.series)):
                v = data.values[j][i]
                total += v
                self.table.setItem(i, j, _number(v))
            self.table.setItem(i, len(data.series), _number(total))
        self.table.resizeColumnsToContents()
        self._fit_table()

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        if self.data is not None:
            self._fit_table()

    def showEvent(self, e) -> None:
        super().showEvent(e)
        if self.data is not None:
            self._fit_table()

    def _fit_table(self) -> None:
        """Give the table beside the chart the width its columns need, up to half."""
        t = self.table
        need = (t.verticalHeader().sizeHint().width() + t.horizontalHeader().length()
                + t.verticalScrollBar().sizeHint().width() + 2 * t.frameWidth() + 4)  # fmt: skip
        total = sum(self.splitter.sizes()) or self.width()
        side = min(need, total // 2)
        self.splitter.setSizes([total - side, side])

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


def _number(v: float) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.ItemDataRole.DisplayRole, int(v) if float(v).is_integer() else float(v))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
