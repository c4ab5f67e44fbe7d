"""Which documents a query of the Analysis window reads: all, or those of one document
set (the same choice as ``--set NAME`` on the command line)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

ALL_DOCUMENTS = "All documents"


class SetChooser(QComboBox):
    """All documents, or the documents of one set."""

    def __init__(self) -> None:
        super().__init__()
        self.setToolTip("Keep to the documents of one document set")
        self.setAccessibleName("Document set")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # a long set name may not fit the box: the tooltip always says it in full
        self.currentIndexChanged.connect(
            lambda _i: self.setToolTip(
                f"Keep to the documents of one document set (now: {self.currentText()})"
            )  # fmt: skip
        )
        self.fill([])

    def fill(self, names: list[str]) -> None:
        """The sets to choose from; the current one stays chosen if it still exists."""
        current = self.currentData()
        self.clear()
        self.addItem(ALL_DOCUMENTS, None)
        for name in names:
            self.addItem(f"Set: {name}", name)
        self.choose((current,) if current else ())

    def sets(self) -> tuple[str, ...]:
        return (self.currentData(),) if self.currentData() else ()

    def choose(self, names: tuple[str, ...] | list[str]) -> None:
        found = self.findData(names[0]) if names else 0
        self.setCurrentIndex(max(0, found))
