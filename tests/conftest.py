from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The tests never read or write the settings and data of the person running them: Qt's
# default settings (windows/..., viewer/zoom) and the data folder (the sample project)
# go to a folder of this test process, removed when it ends.
_OWN_HOME = Path(tempfile.mkdtemp(prefix="tessera-tests-"))
for _name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ[_name] = str(_OWN_HOME / _name.lower())
atexit.register(shutil.rmtree, _OWN_HOME, ignore_errors=True)

# Property tests check results, not speed: Hypothesis's per-example deadline and its
# "too slow" health check are timings, and on a shared two-core CI machine they fail
# tests whose every answer was right. The test command draws the same examples every run
# (a failure is a change in the code, never the luck of the draw);
# TESSERA_HYPOTHESIS=explore draws new ones, to look for bugs.
_FAIR = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("tessera", derandomize=True, **_FAIR)
settings.register_profile("explore", max_examples=1000, **_FAIR)
settings.load_profile(os.environ.get("TESSERA_HYPOTHESIS", "tessera"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED}")
    return SHARED


# -- PostgreSQL (server projects) ------------------------------------------------------
# ./run test starts a throwaway cluster and sets TESSERA_TEST_PG to a superuser's URL on
# it; without one the server-project tests are skipped and say why.
PG_ENV = "TESSERA_TEST_PG"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(
            f"{PG_ENV} is not set: no PostgreSQL server for the server-project tests "
            "(`./run test` starts a throwaway one when PostgreSQL is installed)"
        )
    return url


@pytest.fixture
def pg_url(pg_server_url: str):
    """The URL of a fresh, empty database of its own for one test, dropped afterwards."""
    import uuid

    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"tessera_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# The project fixtures can run on either backend: `--backend postgresql` (or both, by
# giving the option twice) runs each test that takes ``project_target`` on a fresh
# server database as well. The default is both when a PostgreSQL server is there for
# the tests (TESSERA_TEST_PG, which `./run test` sets), else the file alone.
BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend", action="append", choices=BACKENDS, default=None,
        help="run project fixtures on this backend (repeat for both; default: both when "
             "TESSERA_TEST_PG names a server, else sqlite)",
    )  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("backend") or (
            list(BACKENDS) if os.environ.get("TESSERA_TEST_PG") else ["sqlite"]
        )
        metafunc.parametrize("backend", list(dict.fromkeys(chosen)))


@pytest.fixture
def project_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where a test's project is made: a file in tmp_path, or a fresh server database."""
    if backend == "postgresql":
        return request.getfixturevalue("pg_url")
    return tmp_path / "p.tessera"
