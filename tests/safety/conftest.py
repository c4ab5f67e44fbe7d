from __future__ import annotations

import pytest
from safety_helpers import seed

from desktop.services.project import Project


@pytest.fixture
def project(tmp_path) -> Project:
    p = Project.create(tmp_path / "study.tessera", template="empty")
    seed(p)
    yield p
    p.close()
