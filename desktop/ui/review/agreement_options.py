"""The Agreement dialog's options beside the lists, the same choices the command line
offers: which units count (``--coded-stretches``), "(none)" as a value of a set of
mutually exclusive codes (``--none-as-value``) and the bootstrap of alpha
(``--bootstrap N --seed S``)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from desktop.ui import a11y

STRETCHES = (
    ("every unit", None),
    ("only in coded sentences", "sentence"),
    ("only in coded paragraphs", "paragraph"),
)
STRETCH_HELP = (
    "Every unit: text nobody coded counts as agreement on not coding it, so long uncoded "
    "stretches raise agreement. Only in coded sentences (or paragraphs): for each code, "
    "only the units inside a sentence or paragraph that holds a coding of it by any coder "
    "count. The report states the choice."
)
NONE_HELP = (
    "Off (the default): a unit given no code of the set is missing, so the set's alpha is "
    "agreement given that both coded. On: not coding is the value (none), so a coder who "
    "applies a code of the set where another applied none disagrees."
)
BOOTSTRAP_HELP = (
    "Bootstrap interval of Krippendorff's alpha for each code over all documents (Hayes & "
    "Krippendorff 2007), and q: the share of samples with alpha below 0.667 and 0.8. The "
    "same seed gives the same interval. Units are resampled as independent: right for "
    "sentences, too narrow over characters or words."
)
DEFAULT_SAMPLES, DEFAULT_SEED = 1000, 1


class AgreementOptions(QWidget):
    """Units counted and the bootstrap in a row; ``none_as_value`` is placed by the
    dialog under its list of mutually exclusive codes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stretch_box = QComboBox()
        for label, key in STRETCHES:
            self.stretch_box.addItem(label, key)
        self.stretch_box.setToolTip(STRETCH_HELP)
        self.none_as_value = QCheckBox("Not coding is a value: (none)")
        self.none_as_value.setObjectName("agreementNoneAsValue")
        self.none_as_value.setToolTip(NONE_HELP)
        self.none_as_value.setEnabled(False)
        self.bootstrap_box = QCheckBox("&Bootstrap interval of α")
        self.bootstrap_box.setToolTip(BOOTSTRAP_HELP)
        self.samples_box = QSpinBox()
        self.samples_box.setRange(100, 100_000)
        self.samples_box.setSingleStep(100)
        self.samples_box.setValue(DEFAULT_SAMPLES)
        self.samples_box.setSuffix(" samples")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 999_999)
        self.seed_box.setValue(DEFAULT_SEED)
        self.seed_box.setPrefix("seed ")
        for box, tip in ((self.samples_box, "Bootstrap samples (N)"),
                         (self.seed_box, "Seed: the same seed gives the same interval")):  # fmt: skip
            box.setToolTip(tip)
            a11y.name(box, tip)
            box.setEnabled(False)
        self.bootstrap_box.toggled.connect(self.samples_box.setEnabled)
        self.bootstrap_box.toggled.connect(self.seed_box.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Units &counted")
        label.setBuddy(self.stretch_box)
        label.setToolTip(STRETCH_HELP)
        row.addWidget(label)
        row.addWidget(self.stretch_box)
        row.addSpacing(18)
        row.addWidget(self.bootstrap_box)
        row.addWidget(self.samples_box)
        row.addWidget(self.seed_box)
        row.addStretch(1)

    def kwargs(self, exclusive: bool) -> dict:
        """The ``project_agreement`` keywords that differ from their defaults."""
        out: dict = {}
        if self.stretch_box.currentData():
            out["coded_stretches"] = self.stretch_box.currentData()
        if exclusive and self.none_as_value.isChecked():
            out["none_as_value"] = True
        return out

    def bootstrap(self) -> tuple[int, int] | None:
        """(samples, seed), or None when no bootstrap is asked for."""
        if not self.bootstrap_box.isChecked():
            return None
        return self.samples_box.value(), self.seed_box.value()

    def save(self, qsettings: QSettings, group: str) -> None:
        qsettings.setValue(f"{group}/stretches", self.stretch_box.currentData() or "")
        qsettings.setValue(f"{group}/none_as_value", self.none_as_value.isChecked())
        qsettings.setValue(f"{group}/bootstrap", self.bootstrap_box.isChecked())
        qsettings.setValue(f"{group}/samples", self.samples_box.value())
        qsettings.setValue(f"{group}/seed", self.seed_box.value())

    def load(self, qsettings: QSettings, group: str) -> None:
        index = self.stretch_box.findData(qsettings.value(f"{group}/stretches", "", str) or None)
        self.stretch_box.setCurrentIndex(max(index, 0))
        self.none_as_value.setChecked(qsettings.value(f"{group}/none_as_value", False, bool))
        self.bootstrap_box.setChecked(qsettings.value(f"{group}/bootstrap", False, bool))
        self.samples_box.setValue(qsettings.value(f"{group}/samples", DEFAULT_SAMPLES, int))
        self.seed_box.setValue(qsettings.value(f"{group}/seed", DEFAULT_SEED, int))
