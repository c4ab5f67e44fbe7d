"""The units of agreement in a project: one segmenter for every report (CLI, the
Agreement dialog) and for the review, kept in the project so that a document is cut
the same way in every report, whatever else the report holds.

The rules are ICU's (UAX #29): nothing is trained on the texts, so a document's units do
not depend on which documents a report selects. What the project keeps (project
setting ``agreement_units``) is the segmenter's parameters: the ICU version it was first
used with and the locale of the sentence rules. It is stored the first time units are
cut (unless the project is read-only); a later ICU may place some boundaries
differently, and every report then says so. ``set_sentence_locale`` changes the locale
(and records the current ICU version).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from desktop.core import segmentation
from desktop.core.agreement.units import (
    SentenceSegmenter,
    segmentation_record,
    sentence_segmenter,
)
from desktop.services.errors import ServiceError
from desktop.services.teams import teams

SETTING = "agreement_units"


@dataclass(frozen=True)
class ProjectUnits:
    """The project's segmenter; ``stored``: the parameters the project holds (empty when
    they could not be stored); ``note``: said in every report when the running ICU is
    not the one the project's units were first cut with."""

    segmenter: SentenceSegmenter
    stored: dict
    note: str = ""

    def record(self, unit: str, stretches: str | None = None) -> dict:
        """What a report of ``unit`` units records about its segmentation."""
        out = segmentation_record(unit, self.segmenter, stretches)
        if self.note:
            out["note"] = self.note
        return out


def project_units(project) -> ProjectUnits:
    """The project's segmenter, storing its parameters if the project has none yet."""
    with project.session() as s:
        stored = dict(teams.read_settings(s).get(SETTING) or {})
    if not stored:
        stored = _store(project, {"segmenter": "ICU", "version": segmentation.ICU_VERSION,
                                  "sentence_locale": ""})  # fmt: skip
    try:
        segmenter = sentence_segmenter(str(stored.get("sentence_locale") or ""))
    except ValueError as exc:
        raise ServiceError(f"the project's sentence locale: {exc}") from None
    note = ""
    if not stored:
        note = "not stored in the project: it cannot be written to"
    elif stored.get("version") != segmentation.ICU_VERSION:
        note = (
            f"this project's units were first cut with ICU {stored.get('version')}; "
            f"ICU {segmentation.ICU_VERSION} may place some boundaries differently"
        )
    return ProjectUnits(segmenter, stored, note)


def set_sentence_locale(project, locale: str) -> ProjectUnits:
    """Cut sentences by the rules of ``locale`` in this project from now on ("" or
    "root": ICU's root rules; e.g. "en@ss=standard": no break after English
    abbreviations such as "Mr."). Records the running ICU version as well."""
    try:
        segmenter = sentence_segmenter(locale)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    if project.read_only:
        raise ServiceError(f"the sentence locale cannot be stored: {project.read_only}")
    stored = {"segmenter": "ICU", "version": segmentation.ICU_VERSION,
              "sentence_locale": segmenter.locale}  # fmt: skip
    with project.session() as s:
        teams.write_settings(s, {**teams.read_settings(s, for_update=True), SETTING: stored})
    return ProjectUnits(segmenter, stored)


def _store(project, stored: dict) -> dict:
    """Store the parameters; ``{}`` when the project cannot be written to."""
    if getattr(project, "read_only", None) or getattr(project, "damage", None):
        return {}
    try:
        with project.session() as s:
            settings = teams.read_settings(s, for_update=True)
            if settings.get(SETTING):  # stored meanwhile by another window or process
                return dict(settings[SETTING])
            teams.write_settings(s, {**settings, SETTING: stored})
    except (SQLAlchemyError, ServiceError):
        return {}
    return stored
