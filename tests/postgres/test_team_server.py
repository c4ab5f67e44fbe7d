"""A team on a server project: `tessera server init` and `add-coder`, and what the
database itself lets each person do, checked with their own connection (what psql would
do) and through the services (what the window and the CLI do)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import make_url

from db.server_roles import group_roles
from desktop.cli.main import main
from desktop.services.codebook import codebook, fields
from desktop.services.coding import codings, memos
from desktop.services.errors import ServiceError
from desktop.services.project import audit
from desktop.services.project.project import Project
from desktop.services.review import review
from desktop.services.teams import coders, server_team, teams
from tests.postgres.conftest import code_as, coder_ids, drop_database, drop_roles, set_blind

# -- setting a team up -------------------------------------------------------------------


def test_init_and_add_coder_make_roles_scoped_by_database_and_never_show_a_password(
    pg_url, pg_server_url, unique_roles, tmp_path, capsys
):
    secret = "correct horse \u00e9 battery"
    pw = tmp_path / "pw"
    pw.write_text(secret + "\n", "utf-8")
    r = unique_roles
    admin_url = make_url(pg_url).set(password="adminpass").render_as_string(hide_password=False)
    database = make_url(pg_url).database
    groups = group_roles(database)
    other = f"{database}_b"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{other}"')
    other_url = make_url(pg_url).set(database=other).render_as_string(hide_password=False)
    try:
        assert main(["server", "init", admin_url, "--owner", "Olga", "--role", r["olga"],
                     "--password-file", str(pw), "--template", "conflict-news"]) == 0  # fmt: skip
        assert main(["server", "add-coder", pg_url, "Ana López", "--role", r["ana"],
                     "--password-file", str(pw)]) == 0  # fmt: skip
        assert main(["server", "add-coder", pg_url, "Rev", "--role", r["rev"], "--reviewer",
                     "--no-password"]) == 0  # fmt: skip
        # a second project on the same server: roles of its own; ana joins it with her login
        assert main(["server", "init", other_url, "--owner", "Olga", "--role", r["olga"]]) == 0
        assert main(["server", "add-coder", other_url, "Ana López", "--role", r["ana"]]) == 0
        said = capsys.readouterr()
        assert "adminpass" not in said.out + said.err and secret not in said.out + said.err
        assert "***@" in said.out  # the admin's URL is shown masked
        assert f"tessera open postgresql://{r['ana']}@" in said.out
        assert "existing" in said.out.splitlines()[-1]  # her role was not made again

        assert main(["server", "members", pg_url]) == 0
        listed = capsys.readouterr().out
        assert [line.split() for line in listed.splitlines()] == [
            ["Ana", "López", "coder", r["ana"]],
            ["Olga", "owner", r["olga"]],
            ["Rev", "reviewer", r["rev"]],
        ]
        with psycopg.connect(pg_server_url) as admin:
            stored = dict(admin.execute(
                "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(%s)",
                ([r["olga"], r["ana"], r["rev"]],),
            ).fetchall())  # fmt: skip
            member_of = {
                g for (g,) in admin.execute(
                    "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.member "
                    "JOIN pg_roles b ON b.oid = m.roleid WHERE a.rolname = %s", (r["ana"],),
                )
            }  # fmt: skip
        # the server holds a verifier made on this side, never the password itself
        assert stored[r["ana"]].startswith("SCRAM-SHA-256$") and secret not in stored[r["ana"]]
        assert stored[r["rev"]] is None
        other_groups = group_roles(other)
        assert member_of == {groups["coder"], other_groups["coder"]}
        assert set(groups.values()).isdisjoint(other_groups.values())
        assert all(database in g for g in groups.values())
        with psycopg.connect(pg_url) as conn:
            assert conn.execute(
                "SELECT name, db_role FROM coder WHERE db_role IS NOT NULL ORDER BY name"
            ).fetchall() == [("Ana López", r["ana"]), ("Olga", r["olga"]), ("Rev", r["rev"])]
    finally:
        drop_database(pg_server_url, other)
        drop_database(pg_server_url, database)
        drop_roles(pg_server_url, *groups.values(), *group_roles(other).values())


def test_init_again_changes_nothing_and_links_a_coder_already_in_the_project(team, pg_server_url):
    # a coder named like the new person (from a pushed file, say) keeps her codings
    with team.open("olga") as p:
        dana = teams.add_coder(p, "dana")
        codings.apply_coding(p, document_id=1, code_id=codebook.find_code(p, "Talks").id,
                             coder_id=dana.id, start=0, end=6)  # fmt: skip
    role = team.roles["cy"] + "_d"
    try:
        assert main(["server", "add-coder", team.admin_url, "dana", "--role", role,
                     "--no-password"]) == 0  # fmt: skip
        assert main(["server", "init", team.admin_url, "--owner", "olga",
                     "--role", team.roles["olga"]]) == 0  # fmt: skip
        with psycopg.connect(team.url_as(role)) as conn:
            assert conn.execute("SELECT count(*) FROM coding").fetchone()[0] == 1
            assert conn.execute("SELECT current_user").fetchone()[0] == role
        with team.open("olga") as p:
            assert {x.name: x.group for x in server_team.members(p)} == {
                "olga": "owner", "ana": "coder", "ben": "coder", "cy": "coder",
                "rev": "reviewer", "dana": "coder",
            }  # fmt: skip
    finally:
        drop_roles(pg_server_url, role)


def test_set_up_needs_a_role_that_may_create_roles_and_refuses_a_superuser_coder(team):
    with pytest.raises(ServiceError, match="may not create roles"):
        server_team.add_person(team.url("ana"), "eve", role=team.roles["ana"] + "_e")
    with pytest.raises(ServiceError, match="superuser"):
        server_team.add_person(team.admin_url, "root", role=make_url(team.admin_url).username)
    with pytest.raises(ServiceError, match="owner already"):
        server_team.add_person(team.admin_url, "olga", role=team.roles["olga"])


# -- blind coding, enforced by row-level security ----------------------------------------


def test_in_blind_mode_a_coders_own_sql_sees_only_their_own_codings(team):
    ids = coder_ids(team)
    code_as(team, "ana", 0, 6)
    ben = code_as(team, "ben", 7, 11)
    with team.open("olga") as p:
        field = fields.add_field(p, codebook.find_code(p, "Talks").id, "stance", "text")
    with team.open("ben") as p:
        fields.set_coding_values(p, ben.id, {field.id: "hostile"})
        codings.set_memo(p, ben.id, "ben's private memo")
    set_blind(team, True)

    with team.sql("ana") as ana:
        assert ana.execute("SELECT coder_id, quote FROM coding").fetchall() == [
            (ids["ana"], "Rebels")
        ]
        assert ana.execute("SELECT count(*) FROM coding_value").fetchone()[0] == 0
        assert "ben's private memo" not in str(ana.execute("SELECT * FROM coding").fetchall())
        # the audit log does not tell either
        about = ana.execute("SELECT actor, new::text FROM audit_log WHERE entity = 'coding'")
        assert {a for a, _ in about} == {team.roles["ana"]}
        assert "hostile" not in str(
            ana.execute("SELECT old::text, new::text FROM audit_log").fetchall()
        )
    with team.open("ana") as p:  # the services see what the database shows
        assert [c.coder_id for c in codings.list_codings(p)] == [ids["ana"]]
    # the reviewer and the owner see everyone's
    for person in ("rev", "olga"):
        with team.sql(person) as conn:
            assert conn.execute("SELECT count(*) FROM coding").fetchone()[0] == 2
            assert conn.execute("SELECT count(*) FROM coding_value").fetchone()[0] == 1
    set_blind(team, False)
    with team.sql("ana") as ana:
        assert ana.execute("SELECT count(*) FROM coding").fetchone()[0] == 2


def test_a_coder_may_not_write_what_is_not_theirs(team):
    ids = coder_ids(team)
    ben = code_as(team, "ben", 7, 11)
    with team.sql("ana") as ana:
        for statement, params in (
            ("INSERT INTO coding (document_id, code_id, coder_id, start, \"end\", quote, memo, "
             "created_at, updated_at) VALUES (1, 1, %s, 0, 6, 'Rebels', '', now(), now())",
             (ids["ben"],)),
            ("UPDATE coding SET memo = 'mine now' WHERE id = %s", (ben.id,)),
            ("UPDATE coding SET coder_id = %s WHERE id = %s", (ids["ana"], ben.id)),
            ("DELETE FROM coding WHERE id = %s", (ben.id,)),
            ("INSERT INTO code (name, color, description, inclusion, exclusion, sort_order, "
             "created_at, is_codable, memo) VALUES ('Mine', '#000000', '', '', '', 0, now(), "
             "true, '')", ()),
            ("UPDATE project SET settings = (settings::jsonb || '{\"blind\": false}')::json", ()),
            ("DELETE FROM audit_log", ()),
            ("UPDATE audit_log SET actor = 'nobody'", ()),
            ("UPDATE coder SET db_role = current_user WHERE id = %s", (ids["ben"],)),
        ):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                ana.execute(statement, params)
    with team.sql("olga") as owner:
        assert owner.execute(
            "SELECT memo, coder_id FROM coding WHERE id = %s", (ben.id,)
        ).fetchone() == ("", ids["ben"])
        assert owner.execute("SELECT count(*) FROM code WHERE name = 'Mine'").fetchone()[0] == 0

    # through the services: a message, never a half-done change
    with team.open("ana") as p:
        before = len(audit.history(p))
        for action in (
            lambda: codings.remove_coding(p, ben.id),
            lambda: codings.set_memo(p, ben.id, "x"),
            lambda: codebook.add_code(p, "Mine"),
            lambda: teams.set_blind(p, True),
        ):
            with pytest.raises(ServiceError, match="may not"):
                action()
        assert len(audit.history(p)) == before
        # what is hers she may do: code, write memos, keep a journal
        mine = codings.apply_coding(p, document_id=1, code_id=ben.code_id, coder_id=ids["ana"],
                                    start=0, end=6)  # fmt: skip
        codings.set_memo(p, mine.id, "ok")
        memos.set_document_memo(p, 1, "read twice")
        entry = memos.add_journal_entry(p, "a note")
    with team.open("ben") as p, pytest.raises(ServiceError, match="another person's"):
        memos.delete_journal_entry(p, entry)


def test_the_audit_log_records_the_database_role_not_the_name_a_client_claims(team):
    with team.open("ana") as p:
        p.actor = "olga"  # what a client could claim
        me = server_team.identity(p)
        made = codings.apply_coding(p, document_id=1, code_id=codebook.find_code(p, "Talks").id,
                                    coder_id=me.coder.id, start=0, end=6)  # fmt: skip
        [entry] = audit.history(p, entity="coding", entity_id=made.id)
        assert entry.actor == team.roles["ana"] == me.role
        assert (me.group, me.coder.name) == ("coder", "ana")
    with team.sql("ana") as ana:
        ana.execute("INSERT INTO audit_log (at, actor, action, entity) "
                    "VALUES (now(), 'olga', 'forged', 'project')")  # fmt: skip
        assert ana.execute("SELECT actor FROM audit_log WHERE action = 'forged'").fetchone() == (
            team.roles["ana"],
        )


def test_the_reviewer_settles_disagreements_a_coder_cannot(team):
    ids = coder_ids(team)
    code_as(team, "ana", 0, 6)
    code_as(team, "ben", 7, 11)
    set_blind(team, True)
    with team.open("rev") as p:
        [first, second] = review.disagreements(p, 1, [ids["ana"], ids["ben"]])
        settled = review.accept(p, second, ids["ben"])
        assert [c.start for c in settled.created] == [7]
        with pytest.raises(ServiceError, match="another coder's"):
            codings.remove_coding(p, settled.created[0].id - 1)  # ben's own coding
        with pytest.raises(ServiceError, match="may not"):
            codebook.add_code(p, "Reviewer's code")
    with team.open("ana") as p:
        with pytest.raises(ServiceError, match="may not"):
            review.accept(p, first, ids["ana"])
        # blind: ana sees neither ben's coding nor the consensus
        assert {c.coder_id for c in codings.list_codings(p)} == {ids["ana"]}
    with team.open("olga") as p:
        consensus = coders.find_coder(p, review.CONSENSUS)
        assert [
            (c.coder_id, c.start) for c in codings.list_codings(p, coder_ids=[consensus.id])
        ] == [(consensus.id, 7)]


def test_an_upgrade_brings_the_teams_grants_and_policies_along(team):
    code_as(team, "ana", 0, 6)
    code_as(team, "ben", 7, 11)
    set_blind(team, True)
    roles = dict(team.roles)
    policies = "SELECT count(*) FROM pg_policies WHERE tablename = 'coding'"
    with team.admin() as admin:
        made = admin.execute(policies).fetchone()[0]
        # back to schema 5: without the column, the policies that read it go too
        admin.execute("ALTER TABLE coder DROP COLUMN db_role CASCADE")
        admin.execute("UPDATE tessera_identity SET schema_version = 5")
        admin.execute("UPDATE alembic_version SET version_num = '0005'")
        assert admin.execute(policies).fetchone()[0] < made
    # a coder may not upgrade the schema; the message says so and nothing changes
    with pytest.raises(ServiceError, match="upgrading it from schema 5") as refused:
        team.open("ana")
    assert "owns the project's tables" in str(refused.value)
    with Project.open(team.admin_url) as p:
        assert p.upgraded_from == 5
    with team.admin() as admin:
        for name in ("ana", "ben", "olga"):
            admin.execute("UPDATE coder SET db_role = %s WHERE name = %s", (roles[name], name))
        assert admin.execute(policies).fetchone()[0] == made
    with team.sql("ana") as ana:
        assert ana.execute("SELECT count(*) FROM coding").fetchone()[0] == 1


def test_the_reviewer_makes_a_copy_for_a_coder_and_the_owners_copies_share_code_identities(
    team, tmp_path
):
    """Only the owner may write codes: the owner's copies give the codes an identity
    (so a code renamed meanwhile still merges); the reviewer's copy, which may not, is
    made all the same (its codes then match by path)."""
    from desktop.services.codebook import codebook
    from desktop.services.project.project import Project
    from desktop.services.teams import teams

    with team.open("rev") as rev:
        report = teams.copy_for_coder(rev, "ana", tmp_path / "ana-by-rev.tessera")
        assert report.codes == 2
    with team.open("olga") as owner:
        teams.copy_for_coder(owner, "ben", tmp_path / "ben.tessera")
        guids = {c.path: c.guid for c in codebook.list_codes(owner)}
    assert all(guids.values()), guids
    with Project.open(tmp_path / "ben.tessera") as copy:
        assert {c.path: c.guid for c in codebook.list_codes(copy)} == guids
