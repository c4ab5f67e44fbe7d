"""A team on a server project for the tests: an owner, three coders and a reviewer,
each a login role of their own (names unique to the test, so that tests running at once
on one server never meet), removed with the test's database afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from db.server_roles import group_roles
from desktop.services.project.project import Project

PEOPLE = ("olga", "ana", "ben", "cy", "rev")


@dataclass
class Team:
    admin_url: str  # a superuser on the project's database
    database: str
    roles: dict[str, str]  # person -> login role
    groups: dict[str, str] = field(default_factory=dict)  # group -> group role

    def url(self, person: str) -> str:
        """The project's URL for ``person`` (the test cluster trusts its socket)."""
        return self.url_as(self.roles[person])

    def url_as(self, role: str) -> str:
        return (
            make_url(self.admin_url)
            .set(username=role, password=None)
            .render_as_string(hide_password=False)
        )

    def open(self, person: str) -> Project:
        return Project.open(self.url(person))

    def sql(self, person: str) -> psycopg.Connection:
        """A psycopg connection as ``person``: what they could do with psql."""
        return psycopg.connect(self.url(person), autocommit=True)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)


def drop_roles(server_url: str, *roles: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        for role in roles:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def unique_roles(pg_server_url: str) -> Iterator[dict[str, str]]:
    """{person: a login role name no other test uses}; the roles are dropped after."""
    tag = uuid.uuid4().hex[:8]
    roles = {p: f"{p}_{tag}" for p in PEOPLE}
    yield roles
    drop_roles(pg_server_url, *roles.values())


@pytest.fixture
def team(pg_url: str, pg_server_url: str, unique_roles: dict[str, str]) -> Iterator[Team]:
    """A project set up for a team by ``server init``: owner olga, coders ana, ben and
    cy, reviewer rev; blind mode off, a document and two codes."""
    from desktop.services.codebook import codebook
    from desktop.services.documents import documents
    from desktop.services.teams import server_team

    r = unique_roles
    server_team.init_team(pg_url, "olga", role=r["olga"], template="empty")
    for person in ("ana", "ben", "cy"):
        server_team.add_person(pg_url, person, role=r[person])
    server_team.add_person(pg_url, "rev", role=r["rev"], reviewer=True)
    database = make_url(pg_url).database
    t = Team(pg_url, database, r, group_roles(database))
    with t.open("olga") as owner:
        documents.add_document(owner, name="deraa.txt", text=TEXT, kind="txt")
        codebook.add_code(owner, "Talks")
        codebook.add_code(owner, "Casualties")
    yield t
    # the database first: the group roles hold privileges in it until it is gone
    drop_database(pg_server_url, database)
    drop_roles(pg_server_url, *t.groups.values())


def coder_ids(t: Team) -> dict[str, int]:
    """{coder name: id}, as the owner sees them."""
    from desktop.services.teams import coders

    with t.open("olga") as p:
        return {c.name: c.id for c in coders.list_coders(p)}


def code_as(t: Team, person: str, start: int, end: int, code: str = "Talks"):
    """``person`` codes [start, end) of the document with ``code``, as themselves."""
    from desktop.services.codebook import codebook
    from desktop.services.coding import codings
    from desktop.services.teams import server_team

    with t.open(person) as p:
        me = server_team.identity(p).coder
        return codings.apply_coding(
            p, document_id=1, code_id=codebook.find_code(p, code).id, coder_id=me.id,
            start=start, end=end,
        )  # fmt: skip


def set_blind(t: Team, on: bool) -> None:
    from desktop.services.teams import teams

    with t.open("olga") as p:
        teams.set_blind(p, on)


TEXT = (
    "Rebels said talks with Russia had \u201cfailed\u201d. At least 12 civilians were "
    "killed \U0001f525 in Dera\u2019a province, a monitor said. " * 20
)
