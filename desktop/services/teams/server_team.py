"""A team on a server project: each person logs in as a PostgreSQL role of their own,
and the database decides what they may read and change (see ``db.server_roles`` for
the rules of the owner, reviewer and coder groups and for blind mode).

``init_team`` sets a project up for a team (making the project first in an empty
database) with its owner; ``add_person`` adds a coder or a reviewer. Both connect with
the URL given, as a role that owns the project's tables and may create roles (the
database's owner with CREATEROLE, or a superuser), and do all their work in one
transaction. A password goes to the server as the verifier libpq computes on this side
(SCRAM), never as plain text, and never appears in a message; URLs are shown with any
password masked."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import models as m
from db import server_roles as roles_sql
from db.engine import make_engine
from db.server_engine import is_server_url, mask_url
from desktop.services.errors import Conflict, ServiceError
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams

GROUPS = roles_sql.GROUPS
AskPassword = Callable[[str], "str | None"]  # (role) -> the new role's password


@dataclass(frozen=True)
class Person:
    name: str  # the coder's name in the project
    role: str  # the PostgreSQL role they log in as
    group: str | None  # owner | reviewer | coder (None: not in this project's groups)
    created_role: bool = False  # the login role was made now (else it existed already)
    url: str = ""  # how they open the project (no password in it)


@dataclass(frozen=True)
class TeamReport:
    location: str
    roles: dict[str, str]  # group -> the group role's name
    created_project: bool
    owner: Person


@dataclass(frozen=True)
class Identity:
    """Who a connection to a server project is."""

    role: str  # current_user
    group: str | None  # owner | reviewer | coder, or None (no team, or not in it)
    coder: coders.CoderInfo | None  # the coder row whose db_role is ``role``


def role_for(name: str) -> str:
    """The login role a person's name suggests: lower-case ASCII letters, digits and
    underscores (``Ana López`` -> ``ana_lopez``)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    role = re.sub(r"[^a-z0-9_]+", "_", folded.lower()).strip("_")
    if not role or role[0].isdigit():
        raise ServiceError(f"cannot make a database role name from {name!r}; give one with --role")
    return role[:63]


def person_url(url: str, role: str) -> str:
    """The project's URL for ``role``: their user name, no password."""
    return mask_url(make_url(url).set(username=role, password=None))


def _refused(project: Project, exc: SQLAlchemyError) -> ServiceError:
    """A server's refusal as a message: its own first line, never the statement (which
    may carry a password's verifier)."""
    orig = getattr(exc, "orig", None) or exc
    said = (str(orig).strip().splitlines() or ["no reason given"])[0]
    return ServiceError(f"{project.location}: the server refused ({said}); nothing was changed")


def _may_set_up(project: Project, conn) -> None:
    """A ServiceError unless the connected role can make roles and owns the tables."""
    me, createrole, superuser, owns = conn.execute(
        text(
            "SELECT current_user, r.rolcreaterole, r.rolsuper, "
            "(SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename = 'coding') = current_user "
            "FROM pg_roles r WHERE r.rolname = current_user"
        )
    ).one()
    if superuser:
        return
    if not createrole:
        raise ServiceError(
            f"{project.location}: the role {me} may not create roles; connect as the "
            "database's owner with CREATEROLE, or as a superuser. Nothing was changed."
        )
    if not owns:
        raise ServiceError(
            f"{project.location}: the role {me} does not own the project's tables; connect "
            "as the role that made the project (or a superuser). Nothing was changed."
        )


def _login(conn, role: str, password: str | None, ask: AskPassword | None) -> bool:
    """Make ``role`` a login role if it is not one; True if it was made now. An existing
    role keeps its password unless ``password`` is given."""
    facts = roles_sql.role_facts(conn, role)
    if facts is None:
        if password is None and ask is not None:
            password = ask(role)
        roles_sql.create_login(conn, role, password)
        return True
    if not facts["login"]:
        raise ServiceError(f"the role {role} exists but may not log in (a group role?)")
    if password is not None:
        roles_sql.set_password(conn, role, password)
    return False


def _record(s: Session, actor: str, name: str, role: str) -> m.Coder:
    """The coder row of ``name``, linked to ``role``: a coder of that name already in
    the project (from a pushed file, say) keeps their codings and gets the role."""
    name = name.strip()
    by_role = s.scalar(select(m.Coder).where(m.Coder.db_role == role))
    by_name = s.scalar(select(m.Coder).where(m.Coder.name == name))
    if by_role is not None and by_role.name != name:
        raise Conflict(f"the role {role} is already the coder {by_role.name!r}")
    if by_name is None:
        return teams.add_coder_in(s, actor, name, db_role=role)
    if by_name.db_role not in (None, role):
        raise Conflict(f"the coder {name!r} logs in as {by_name.db_role} already")
    if by_name.db_role is None:
        by_name.db_role = role
        audit.record(s, actor, "update", "coder", by_name.id, {"db_role": None}, {"db_role": role})
    return by_name


def init_team(
    url: str, owner: str, *, role: str | None = None, password: str | None = None,
    ask_password: AskPassword | None = None, template: str = "empty", name: str | None = None,
) -> TeamReport:  # fmt: skip
    """Set up the project at ``url`` for a team: the group roles, grants, policies and
    triggers, and ``owner`` (a login role, made if missing, in the owner group, and a
    coder). An empty database first gets a new project (``template``, ``name``). Running
    it again brings the grants and policies up to date and changes nothing else."""
    if not is_server_url(url):
        raise ServiceError(f"{url}: not a PostgreSQL URL (postgresql://host/database)")
    owner = owner.strip()
    person = role or role_for(owner)
    created = _is_empty(url)
    project = Project.create(url, template=template, name=name) if created else Project.open(url)
    try:
        database = project.engine.url.database or ""
        group_roles = roles_sql.group_roles(database)
        with project.session() as s:
            conn = s.connection()
            _may_set_up(project, conn)
            for statement in roles_sql.setup_sql(group_roles, database):
                conn.exec_driver_sql(statement)
            me = conn.execute(text("SELECT current_user")).scalar()
            # the one who set it up may do what an owner may
            conn.exec_driver_sql(f'GRANT "{group_roles["owner"]}" TO "{me}"')
            made = _login(conn, person, password, ask_password)
            roles_sql.place_in_group(conn, group_roles, person, "owner")
            _record(s, project.actor, owner, person)
    except SQLAlchemyError as exc:
        _undo(project, created)
        raise _refused(project, exc) from exc
    except BaseException:
        _undo(project, created)
        raise
    project.close()
    return TeamReport(
        project.location, group_roles, created,
        Person(owner, person, "owner", made, person_url(url, person)),
    )  # fmt: skip


def _is_empty(url: str) -> bool:
    from sqlalchemy import inspect

    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    except SQLAlchemyError:
        return False  # Project.open says what is wrong
    finally:
        engine.dispose()


def _undo(project: Project, created: bool) -> None:
    """A project made by a failed ``init_team`` is removed again."""
    from db.project_file import drop_server_schema

    if created:
        drop_server_schema(project.engine)
    project.close()


def add_person(
    url: str, name: str, *, reviewer: bool = False, role: str | None = None,
    password: str | None = None, ask_password: AskPassword | None = None,
) -> Person:  # fmt: skip
    """Add ``name`` to the team of the project at ``url`` as a coder (or a reviewer): a
    login role (made if missing; an existing one keeps its password unless one is
    given), in that group only, and their coder row."""
    if not is_server_url(url):
        raise ServiceError(f"{url}: not a PostgreSQL URL (postgresql://host/database)")
    name = name.strip()
    if not name:
        raise ServiceError("a coder needs a name")
    person = role or role_for(name)
    group = "reviewer" if reviewer else "coder"
    project = Project.open(url)
    try:
        with project.session() as s:
            conn = s.connection()
            group_roles = roles_sql.read_team(conn)
            if group_roles is None:
                raise ServiceError(
                    f"{project.location}: not set up for a team yet; run "
                    f"`tessera server init {project.location} --owner NAME` first"
                )
            _may_set_up(project, conn)
            facts = roles_sql.role_facts(conn, person)
            if facts is not None and (facts["superuser"] or facts["bypassrls"]):
                raise ServiceError(
                    f"the role {person} is a superuser (or bypasses row-level security): it "
                    "would see every coding whatever blind mode says; give the person a "
                    "role of their own with --role"
                )
            if facts is not None and roles_sql.group_of(conn, group_roles, person) == "owner":
                raise ServiceError(f"the role {person} is the project's owner already")
            made = _login(conn, person, password, ask_password)
            roles_sql.place_in_group(conn, group_roles, person, group)
            _record(s, project.actor, name, person)
    except SQLAlchemyError as exc:
        raise _refused(project, exc) from exc
    finally:
        project.close()
    return Person(name, person, group, made, person_url(url, person))


def members(project: Project) -> list[Person]:
    """The people of a server project's team: every coder with a login role, and the
    group that role is in (None: removed from the team's groups)."""
    if not project.is_server:
        return []
    with project.session() as s:
        conn = s.connection()
        group_roles = roles_sql.read_team(conn)
        rows = s.execute(
            select(m.Coder.name, m.Coder.db_role)
            .where(m.Coder.db_role.is_not(None))
            .order_by(m.Coder.name)
        ).all()
        return [
            Person(
                name,
                role,
                roles_sql.group_of(conn, group_roles, role) if group_roles else None,
            )  # fmt: skip
            for name, role in rows
            if roles_sql.role_facts(conn, role) is not None
        ]


def identity(project: Project) -> Identity | None:
    """Who this connection is on a server project (None for a file)."""
    if not project.is_server:
        return None
    with project.session() as s:
        conn = s.connection()
        me = conn.execute(text("SELECT current_user")).scalar()
        group_roles = roles_sql.read_team(conn)
        group = roles_sql.group_of(conn, group_roles, me) if group_roles else None
        c = s.scalar(select(m.Coder).where(m.Coder.db_role == me))
        coder = coders.CoderInfo(c.id, c.name, c.color) if c else None
        return Identity(me, group, coder)
