from __future__ import annotations

import pytest

from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders

ARTICLE = (
    "Rebels said talks with Russia had \u201cfailed\u201d.\n\n"
    "At least 12 civilians were killed \U0001f525 in Dera\u2019a province, a monitor said.\n"
)


@pytest.fixture
def project(project_target):
    p = Project.create(project_target, template="conflict-news")
    p.actor = "ana"
    yield p
    p.close()


@pytest.fixture
def doc(project):
    return documents.add_document(project, name="deraa.txt", text=ARTICLE, kind="txt")


@pytest.fixture
def ana(project):
    return coders.add_coder(project, "ana")
