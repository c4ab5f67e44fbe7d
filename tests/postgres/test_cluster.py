"""The test cluster itself: each test gets a database of its own, empty and dropped after."""

from __future__ import annotations

import psycopg


def test_each_test_gets_an_empty_database_of_its_own(pg_url, pg_server_url):
    with psycopg.connect(pg_url) as conn:
        name = conn.info.dbname
        assert name.startswith("tessera_test_")
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
        assert tables == 0
        conn.execute("CREATE TABLE scratch (x int)")
    with psycopg.connect(pg_server_url) as admin:
        assert (
            admin.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()[0]
            == 1
        )
