"""Inter-coder agreement: coefficients on reliability data, unitizing of coded spans,
and the agreement report over a project's documents; Krippendorff's unitizing alpha on a
continuum (``unitizing``), the bootstrap of alpha (``bootstrap``), MAXQDA-style segment
matching (``segments``) and tables of reliability data (``table``). Pure Python + numpy
(nltk for word and sentence units, imported lazily)."""

from __future__ import annotations

from desktop.core.agreement.bootstrap import AlphaBootstrap, bootstrap_alpha, bootstrap_report
from desktop.core.agreement.coefficients import (
    Coefficient,
    Reliability,
    cohen_kappa,
    cohen_kappa_from_table,
    coincidences,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    scott_pi_from_table,
)
from desktop.core.agreement.corpus import corpus_agreement
from desktop.core.agreement.data import LEVELS, ReliabilityData
from desktop.core.agreement.measures import reliability
from desktop.core.agreement.report import MEASURES, AgreementRow, Report, format_value
from desktop.core.agreement.segments import SegmentMatching, segment_matching
from desktop.core.agreement.unitizing import UnitizingResult, corpus_unitizing, unitizing_alpha
from desktop.core.agreement.units import (
    UNIT_KINDS,
    coding_patterns,
    sentence_spans,
    train_sentence_tokenizer,
    unit_spans,
    unitize,
    word_spans,
)

__all__ = [
    "LEVELS",
    "AlphaBootstrap",
    "SegmentMatching",
    "UnitizingResult",
    "bootstrap_alpha",
    "bootstrap_report",
    "corpus_unitizing",
    "segment_matching",
    "unitizing_alpha",
    "MEASURES",
    "UNIT_KINDS",
    "AgreementRow",
    "Coefficient",
    "Reliability",
    "ReliabilityData",
    "Report",
    "coding_patterns",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "coincidences",
    "corpus_agreement",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "format_value",
    "krippendorff_alpha",
    "percent_agreement",
    "reliability",
    "scott_pi",
    "scott_pi_from_table",
    "sentence_spans",
    "train_sentence_tokenizer",
    "unit_spans",
    "unitize",
    "word_spans",
]
