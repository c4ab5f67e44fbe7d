"""The keys that apply the first nine codes while the text has focus, chosen by the user:
any nine different characters (a keyboard layout without digits on the top row, a
left-hand row such as "qwertyuio"), or none at all."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import a11y
from desktop.ui.workbench.access import DEFAULT_CODE_KEYS

KEYS = 9


def problem(keys: str) -> str | None:
    """Why ``keys`` cannot stand for codes 1 to 9, or None when they can."""
    if len(keys) != KEYS:
        return f"Type {KEYS} keys, one for each of codes 1 to {KEYS} ({len(keys)} so far)."
    if any(k.isspace() or not k.isprintable() for k in keys):
        return "Spaces and invisible characters cannot be code keys."
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        return f"Each key once: {' '.join(twice)} appears more than once."
    return None


class CodeKeysDialog(QDialog):
    """Remap the single-key coding keys, or turn them off."""

    def __init__(self, parent: QWidget | None, keys: str, on: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Code keys")
        intro = QLabel(
            "While the text has focus, these keys apply the first nine codes of the "
            "codebook, in order. Elsewhere they type as usual."
        )
        intro.setWordWrap(True)
        self.enabled = QCheckBox("&Single-key coding in the text")
        self.enabled.setChecked(on)
        self.keys = QLineEdit(keys or DEFAULT_CODE_KEYS)
        self.keys.setMaxLength(KEYS)
        self.keys.setPlaceholderText(DEFAULT_CODE_KEYS)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Keys for codes 1–9:", self.keys)
        form.addRow("", self.preview)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: self.keys.setText(DEFAULT_CODE_KEYS)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        a11y.name(self.keys, "Keys for codes 1 to 9", "Nine different characters, in order")
        a11y.name(self.enabled, "Single-key coding in the text")
        self.keys.textChanged.connect(self._check)
        self.enabled.toggled.connect(self._check)
        self._check()

    def chosen(self) -> str:
        return self.keys.text()

    def _check(self) -> None:
        keys = self.chosen()
        self.keys.setEnabled(self.enabled.isChecked())
        why = problem(keys) if self.enabled.isChecked() else None
        self.message.setText(why or "")
        self.message.setVisible(bool(why))
        # no-break spaces keep each "key → code n" on one line when the list wraps
        self.preview.setText(
            "   ".join(f"{k}\u00a0→\u00a0code\u00a0{i}" for i, k in enumerate(keys, 1))
            if not why
            else ""
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(why is None)
