from __future__ import annotations

import pytest

from desktop.services.project.project import Project
from tests.safety.safety_helpers import seed


@pytest.fixture
def project(tmp_path) -> Project:
    p = Project.create(tmp_path / "study.tessera", template="empty")
    seed(p)
    yield p
    p.close()
