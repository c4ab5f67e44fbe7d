"""A server project's schema: made by the migrations, recognised, upgraded and refused
by the same rules as a file; passwords never shown."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.project_file import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ProjectFileError,
    alembic_config,
    create_server,
    open_server,
)
from db.server_engine import mask_url


def test_new_server_project_has_the_schema_and_its_identity(pg_url):
    engine = create_server(pg_url)
    try:
        with engine.connect() as conn:
            ident = conn.execute(
                text("SELECT application_id, schema_version FROM tessera_identity")
            ).all()
            indexes = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes"))}
        assert ident == [(APPLICATION_ID, SCHEMA_VERSION)]
        assert "ix_document_fts" in indexes  # the text-search index in place of FTS5
    finally:
        engine.dispose()
    engine, status = open_server(pg_url)
    engine.dispose()
    assert status.schema_version == SCHEMA_VERSION and status.upgraded_from is None


def test_a_database_with_tables_is_neither_made_into_a_project_nor_opened(pg_url):
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(ProjectFileError, match="not empty"):
        create_server(pg_url)
    with pytest.raises(ProjectFileError, match="another program"):
        open_server(pg_url)
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    assert tables == [("invoices",)]


def test_an_empty_database_is_not_opened(pg_url):
    with pytest.raises(ProjectFileError, match="empty.*tessera new"):
        open_server(pg_url)


def test_a_newer_schema_is_refused_and_left_alone(pg_url):
    create_server(pg_url).dispose()
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE tessera_identity SET schema_version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(ProjectFileError, match="newer Tessera"):
        open_server(pg_url)


def test_an_older_schema_is_upgraded_in_one_transaction_and_says_from_what(pg_url):
    from alembic import command

    engine = make_engine(pg_url)
    cfg = alembic_config(engine)
    cfg.attributes["final_sql"] = [
        "CREATE TABLE tessera_identity (application_id integer NOT NULL, schema_version integer NOT NULL)",
        f"INSERT INTO tessera_identity VALUES ({APPLICATION_ID}, 2)",
    ]
    command.upgrade(cfg, "0002")
    engine.dispose()
    engine, status = open_server(pg_url)
    try:
        assert status.upgraded_from == 2 and status.schema_version == SCHEMA_VERSION
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT schema_version FROM tessera_identity")).scalar()
                == SCHEMA_VERSION
            )
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == f"{SCHEMA_VERSION:04d}"
            )
    finally:
        engine.dispose()


def test_passwords_are_masked_in_urls_and_in_connection_errors(pg_server_url):
    assert mask_url("postgresql://ana:s3cret@db.example.org/qda?sslmode=require") == (
        "postgresql://ana:***@db.example.org/qda?sslmode=require"
    )
    assert "s3cret" not in mask_url("postgresql://ana:s3cret@[bad")
    # a server that cannot be reached: the message names it, without the password
    with pytest.raises(ProjectFileError) as err:
        open_server("postgresql://ana:s3cret@127.0.0.1:1/qda?connect_timeout=2")
    assert "s3cret" not in str(err.value) and "ana:***@127.0.0.1:1/qda" in str(err.value)


def test_sslmode_in_the_url_reaches_libpq(pg_url):
    # the test server has no SSL: sslmode=require must make libpq refuse, not be ignored
    with pytest.raises(ProjectFileError, match="SSL|ssl"):
        open_server(pg_url + "&sslmode=require")
