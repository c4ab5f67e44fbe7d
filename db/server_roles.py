"""A team on a server project: who may do what, enforced by PostgreSQL itself.

Three group roles per project database (NOLOGIN), named after the database so that two
projects on one server never share one: ``tessera_<db>_coder``, ``_reviewer`` and
``_owner``. The owner group is a member of the reviewer group, which is a member of the
coder group: each may do what the one below may, and more. Each person logs in as a
role of their own, a member of one group; the coder row whose ``db_role`` is that login
role is theirs (``current_user`` in the policies below).

- coder: reads the project; codes (inserts, changes and deletes the codings whose coder
  is theirs, and those codings' field values), writes memos (coding memos of their own
  codings, document and code memos, journal entries of their own), saves analysis
  settings (saved queries and the like, in the project's settings).
- reviewer: besides, reads every coding (blind mode or not), edits the codings of
  coders who have no login (the consensus layer, coders copied in from files), marks
  passages decided, and adds such coders (a consensus coder).
- owner: everything else too: codebook, documents, attributes, cases, sets, coders,
  blind mode and the reviewer setting.

Blind mode (``blind`` in the project's settings) is read by the row-level security
policies of ``coding``, ``coding_value`` and ``audit_log``: while it is on, a coder's
queries (Tessera's or psql's alike) return only their own codings, their values, and
no audit entry about another person's codings. The audit log is append-only and records
``current_user`` as the actor, and a journal entry ``current_user`` as its author,
whatever name a client claims.

Everything here is idempotent: ``setup_sql`` can run again (after an upgrade added a
table, or to repair a changed grant) and leaves the same state. PostgreSQL only."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import Connection, text

from db.models import Base

GROUPS = ("coder", "reviewer", "owner")
TEAM_TABLE = "tessera_team"
# Tables that are the project's bookkeeping, not its models: read by everyone, written
# by the one who set the project up (migrations, init).
BOOKKEEPING = ("tessera_identity", "alembic_version", TEAM_TABLE)

# What the coder group may write besides reading everything: table -> privileges (a
# column list in parentheses limits UPDATE or INSERT to those columns).
CODER_WRITES = {
    "coding": "INSERT, UPDATE, DELETE",
    "coding_value": "INSERT, UPDATE, DELETE",
    "audit_log": "INSERT",
    "journal_entry": "INSERT, UPDATE, DELETE",
    "document": "UPDATE (memo)",
    "code": "UPDATE (memo)",
    "project": "UPDATE (settings)",
}
REVIEWER_WRITES = {"coder": "INSERT (name, color, created_at, db_role)"}
# The owner may do anything to the project's tables except rewrite its history.
OWNER_LIMITS = {"audit_log": "INSERT"}
FUNCTIONS = ("tessera_blind()", "tessera_may_write(integer)", "tessera_stamp_actor()",
             "tessera_stamp_author()", "tessera_guard_coding()", "tessera_guard_value()",
             "tessera_guard_journal()", "tessera_guard_settings()")  # fmt: skip
ROW_SECURED = ("coding", "coding_value", "audit_log", "journal_entry", "coder")

# the codings of the person connected; those they may write (see tessera_may_write)
_MINE = "coder_id IN (SELECT c.id FROM coder c WHERE c.db_role = current_user::text)"
_WRITABLE = "tessera_may_write(coder_id)"


def group_roles(database: str) -> dict[str, str]:
    """{group: role name} for the project in ``database``: lower-case letters, digits
    and underscores only; a name that had to be changed or shortened carries a digest
    of the real one, so that two databases never map to the same roles."""
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())
    if base != database or len(base) > 40:
        digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
        base = f"{base[:30]}_{digest}"
    return {g: f"tessera_{base}_{g}" for g in GROUPS}


def read_team(conn: Connection) -> dict[str, str] | None:
    """{group: role name} of a project whose team was set up, or None."""
    if conn.execute(text("SELECT to_regclass(:t)"), {"t": TEAM_TABLE}).scalar() is None:
        return None
    rows = dict(conn.execute(text(f"SELECT kind, role FROM {TEAM_TABLE}")).all())
    return rows if set(rows) == set(GROUPS) else None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def setup_sql(roles: dict[str, str], database: str) -> list[str]:
    """The statements that create the group roles (if missing) and put the grants,
    policies, functions and triggers of the team in place. Run them in one transaction
    as the tables' owner with the right to create roles."""
    coder, reviewer, owner = roles["coder"], roles["reviewer"], roles["owner"]
    groups = ", ".join(_q(r) for r in (coder, reviewer, owner))
    tables = [t.name for t in Base.metadata.sorted_tables] + list(BOOKKEEPING)
    sql: list[str] = []
    for role in (coder, reviewer, owner):
        sql.append(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"{_lit(role)}) THEN CREATE ROLE {_q(role)} NOLOGIN; END IF; END $$"
        )
    sql += [
        f"GRANT {_q(coder)} TO {_q(reviewer)}",
        f"GRANT {_q(reviewer)} TO {_q(owner)}",
        f"CREATE TABLE IF NOT EXISTS {TEAM_TABLE} (kind text PRIMARY KEY, role text NOT NULL)",
        f"DELETE FROM {TEAM_TABLE}",
        f"INSERT INTO {TEAM_TABLE} VALUES "
        + ", ".join(f"({_lit(k)}, {_lit(v)})" for k, v in roles.items()),
        # only the team connects; the database's owner and superusers always may
        f"REVOKE ALL ON DATABASE {_q(database)} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_q(database)} TO {_q(coder)}",
        f"GRANT USAGE ON SCHEMA public TO {_q(coder)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {_q(coder)}",
        # an import that keeps ids moves a sequence on (setval)
        f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {_q(owner)}",
    ]
    for table in tables:
        sql.append(f"REVOKE ALL ON {_q(table)} FROM PUBLIC, {groups}")
        sql.append(f"GRANT SELECT ON {_q(table)} TO {_q(coder)}")
        if table in CODER_WRITES:
            sql.append(f"GRANT {CODER_WRITES[table]} ON {_q(table)} TO {_q(coder)}")
        if table in REVIEWER_WRITES:
            sql.append(f"GRANT {REVIEWER_WRITES[table]} ON {_q(table)} TO {_q(reviewer)}")
        if table not in BOOKKEEPING:
            sql.append(f"GRANT {OWNER_LIMITS.get(table, 'ALL')} ON {_q(table)} TO {_q(owner)}")
    sql += _functions(roles)
    sql += _policies(roles)
    sql += _triggers()
    return sql


def _refuse(message: str) -> str:
    return f"RAISE EXCEPTION {_lit(message)} USING ERRCODE = 'insufficient_privilege'"


def _functions(roles: dict[str, str]) -> list[str]:
    reviewer, owner = _lit(roles["reviewer"]), _lit(roles["owner"])
    is_owner = f"pg_has_role(current_user, {owner}, 'MEMBER')"
    return [
        # blind mode as the policies read it: true only for a JSON true
        "CREATE OR REPLACE FUNCTION tessera_blind() RETURNS boolean LANGUAGE sql STABLE AS "
        "$$ SELECT coalesce((SELECT (settings::jsonb -> 'blind') = 'true'::jsonb "
        "FROM project WHERE id = 1), false) $$",
        # whose codings the person connected may write: their own; a reviewer also those
        # of coders without a login; the owner everyone's
        "CREATE OR REPLACE FUNCTION tessera_may_write(integer) RETURNS boolean "
        f"LANGUAGE sql STABLE AS $$ SELECT {is_owner} OR EXISTS (SELECT 1 FROM coder c "
        "WHERE c.id = $1 AND (c.db_role = current_user::text OR (c.db_role IS NULL AND "
        f"pg_has_role(current_user, {reviewer}, 'MEMBER')))) $$",
        "CREATE OR REPLACE FUNCTION tessera_stamp_actor() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.actor := current_user; RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION tessera_stamp_author() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.author := current_user; RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION tessera_guard_coding() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NOT tessera_may_write(OLD.coder_id) THEN "
        + _refuse(
            "this coding is another coder's: only they (or the project's owner) may "
            "change or delete it"
        )
        + "; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        # (a value whose coding is gone is being removed with it)
        "CREATE OR REPLACE FUNCTION tessera_guard_value() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF EXISTS (SELECT 1 FROM coding WHERE id = OLD.coding_id AND NOT "
        "tessera_may_write(coder_id)) THEN "
        + _refuse(
            "this value belongs to another coder's coding: only they (or the "
            "project's owner) may change it"
        )
        + "; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION tessera_guard_journal() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN IF OLD.author IS DISTINCT FROM current_user::text AND NOT {is_owner} THEN "
        + _refuse(
            "this journal entry is another person's: only they (or the project's "
            "owner) may change or delete it"
        )
        + "; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        # settings that are not everyone's to change: blind mode and the reviewer (the
        # owner's), the passages marked decided (a reviewer's)
        "CREATE OR REPLACE FUNCTION tessera_guard_settings() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ "
        "DECLARE was jsonb := coalesce(OLD.settings::jsonb, '{}'); "
        "now jsonb := coalesce(NEW.settings::jsonb, '{}'); "
        f"BEGIN IF NOT {is_owner} AND "
        "((was -> 'blind') IS DISTINCT FROM (now -> 'blind') "
        "OR (was -> 'reviewer') IS DISTINCT FROM (now -> 'reviewer')) THEN "
        + _refuse("only the project's owner may turn blind mode on or off or name the reviewer")
        + f"; END IF; IF NOT pg_has_role(current_user, {reviewer}, 'MEMBER') AND "
        "(was -> 'review_decided') IS DISTINCT FROM (now -> 'review_decided') THEN "
        + _refuse("only a reviewer may settle disagreements")
        + "; END IF; RETURN NEW; END $$",
    ]


def _policy(table: str, name: str, command: str, role: str, using: str | None,
            check: str | None) -> list[str]:  # fmt: skip
    clause = f"CREATE POLICY {name} ON {_q(table)} FOR {command} TO {_q(role)}"
    if using is not None:
        clause += f" USING ({using})"
    if check is not None:
        clause += f" WITH CHECK ({check})"
    return [f"DROP POLICY IF EXISTS {name} ON {_q(table)}", clause]


def _policies(roles: dict[str, str]) -> list[str]:
    """Who sees which rows. A row a person may see but not change is not filtered out
    of their UPDATE or DELETE (which would change nothing without a word): the guard
    triggers refuse it with a message instead."""
    coder, reviewer, owner = roles["coder"], roles["reviewer"], roles["owner"]
    sql = [
        # policies of an earlier setup that are no longer made
        "DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname, tablename FROM pg_policies "
        "WHERE schemaname = 'public' AND left(policyname, 8) = 'tessera_' LOOP "
        "EXECUTE 'DROP POLICY ' || quote_ident(p.policyname) || ' ON ' || "
        "quote_ident(p.tablename); END LOOP; END $$"
    ]
    for table in ROW_SECURED:
        sql.append(f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY")
    seen = f"NOT tessera_blind() OR {_MINE}"
    sql += _policy("coding", "tessera_coder_read", "SELECT", coder, seen, None)
    sql += _policy("coding", "tessera_coder_insert", "INSERT", coder, None, _WRITABLE)
    sql += _policy("coding", "tessera_coder_update", "UPDATE", coder, seen, _WRITABLE)
    sql += _policy("coding", "tessera_coder_delete", "DELETE", coder, seen, None)
    sql += _policy("coding", "tessera_reviewer_read", "SELECT", reviewer, "true", None)
    sql += _policy("coding", "tessera_reviewer_update", "UPDATE", reviewer, "true", _WRITABLE)
    sql += _policy("coding", "tessera_reviewer_delete", "DELETE", reviewer, "true", None)
    # a coding's values go with the coding: seen where it is seen, written where it may be
    seen = "coding_id IN (SELECT id FROM coding)"
    writable = f"coding_id IN (SELECT id FROM coding WHERE {_WRITABLE})"
    sql += _policy("coding_value", "tessera_coder_read", "SELECT", coder, seen, None)
    sql += _policy("coding_value", "tessera_coder_insert", "INSERT", coder, None, writable)
    sql += _policy("coding_value", "tessera_coder_update", "UPDATE", coder, seen, writable)
    sql += _policy("coding_value", "tessera_coder_delete", "DELETE", coder, seen, None)
    sql += _policy("audit_log", "tessera_coder_read", "SELECT", coder,
                   "NOT tessera_blind() OR actor = current_user::text OR entity <> 'coding'",
                   None)  # fmt: skip
    sql += _policy("audit_log", "tessera_coder_insert", "INSERT", coder, None, "true")
    sql += _policy("audit_log", "tessera_reviewer_read", "SELECT", reviewer, "true", None)
    # a reviewer adds coders without a login only (a consensus coder)
    sql += _policy("coder", "tessera_coder_read", "SELECT", coder, "true", None)
    sql += _policy("coder", "tessera_reviewer_insert", "INSERT", reviewer, None, "db_role IS NULL")
    sql += _policy("coder", "tessera_owner_all", "ALL", owner, "true", "true")
    mine = f"author = current_user::text OR pg_has_role(current_user, {_lit(owner)}, 'MEMBER')"
    sql += _policy("journal_entry", "tessera_coder_read", "SELECT", coder, "true", None)
    sql += _policy("journal_entry", "tessera_coder_insert", "INSERT", coder, None, mine)
    sql += _policy("journal_entry", "tessera_coder_update", "UPDATE", coder, "true", mine)
    sql += _policy("journal_entry", "tessera_coder_delete", "DELETE", coder, "true", None)
    return sql


def _triggers() -> list[str]:
    out = []
    for name, table, when, function in (
        ("tessera_audit_actor", "audit_log", "BEFORE INSERT", "tessera_stamp_actor"),
        ("tessera_journal_author", "journal_entry", "BEFORE INSERT", "tessera_stamp_author"),
        ("tessera_settings_guard", "project", "BEFORE UPDATE", "tessera_guard_settings"),
        ("tessera_coding_guard", "coding", "BEFORE UPDATE OR DELETE", "tessera_guard_coding"),
        ("tessera_value_guard", "coding_value", "BEFORE UPDATE OR DELETE", "tessera_guard_value"),
        ("tessera_journal_guard", "journal_entry", "BEFORE UPDATE OR DELETE",
         "tessera_guard_journal"),
    ):  # fmt: skip
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {_q(table)}")
        out.append(
            f"CREATE TRIGGER {name} {when} ON {_q(table)} FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return out


# -- people ------------------------------------------------------------------------------


def role_facts(conn: Connection, role: str) -> dict | None:
    """{login, superuser, bypassrls, createrole} of an existing role, or None."""
    row = conn.execute(
        text(
            "SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles "
            "WHERE rolname = :r"
        ),
        {"r": role},
    ).first()
    if row is None:
        return None
    return dict(zip(("login", "superuser", "bypassrls", "createrole"), row, strict=True))


def encrypt_password(conn: Connection, role: str, password: str) -> str:
    """The password as the server stores it (SCRAM, or whatever its
    ``password_encryption`` says), computed by libpq on this side: the plain text never
    travels in a statement, so it cannot end up in the server's log."""
    pgconn = conn.connection.driver_connection.pgconn
    return pgconn.encrypt_password(password.encode("utf-8"), role.encode("utf-8")).decode("ascii")


def create_login(conn: Connection, role: str, password: str | None) -> None:
    """A login role for a person; with ``password`` None it has none (peer or
    certificate authentication)."""
    stmt = f"CREATE ROLE {_q(role)} LOGIN"
    if password is not None:
        stmt += f" PASSWORD {_lit(encrypt_password(conn, role, password))}"
    conn.exec_driver_sql(stmt)


def set_password(conn: Connection, role: str, password: str) -> None:
    conn.exec_driver_sql(
        f"ALTER ROLE {_q(role)} PASSWORD {_lit(encrypt_password(conn, role, password))}"
    )


def place_in_group(conn: Connection, roles: dict[str, str], person: str, group: str) -> None:
    """Make ``person`` a member of exactly one of the project's groups."""
    for other in GROUPS:
        if other != group:
            conn.exec_driver_sql(f"REVOKE {_q(roles[other])} FROM {_q(person)}")
    conn.exec_driver_sql(f"GRANT {_q(roles[group])} TO {_q(person)}")


def group_of(conn: Connection, roles: dict[str, str], person: str) -> str | None:
    """The highest of the project's groups ``person`` belongs to (directly or not); a
    superuser may do everything, as an owner."""
    for group in reversed(GROUPS):
        member = conn.execute(
            text("SELECT pg_has_role(:p, :g, 'MEMBER')"), {"p": person, "g": roles[group]}
        ).scalar()
        if member:
            return group
    return None
