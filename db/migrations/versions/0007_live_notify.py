"""live updates on a server: every change to what the window shows is announced

On PostgreSQL, a row trigger on each table the window shows (codings and their
values, codes and their fields, documents, coders, the project's settings) sends a
notification on the project's channel (``tessera_channel()``: one per database) when
its transaction commits. The payload is ``table:document:application_name``: the
document whose codings changed (0 when the change is not about one document) and the
sending client's tag, so that a window can skip its own changes. PostgreSQL delivers a
payload once per transaction however many rows repeat it: importing a thousand codings
into one document is one notification. A file has no other clients: on SQLite nothing
is made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 09:00:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ("coding", "coding_value", "code", "code_field", "document", "coder", "project")

CHANNEL = (
    "CREATE OR REPLACE FUNCTION tessera_channel() RETURNS text LANGUAGE sql STABLE AS "
    "$$ SELECT 'tessera_' || left(md5(current_database()), 16) $$"
)
# (a coding value's document is its coding's; a value removed with its coding says
# nothing: the coding's removal is announced)
NOTIFY = """
CREATE OR REPLACE FUNCTION tessera_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    doc bigint := 0;
BEGIN
    IF TG_TABLE_NAME = 'coding' THEN
        doc := CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END;
    ELSIF TG_TABLE_NAME = 'document' THEN
        doc := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    ELSIF TG_TABLE_NAME = 'coding_value' THEN
        SELECT c.document_id INTO doc FROM coding c
        WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.coding_id ELSE NEW.coding_id END;
        IF doc IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_notify(tessera_channel(),
                      TG_TABLE_NAME || ':' || doc || ':' || current_setting('application_name'));
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CHANNEL)
    op.execute(NOTIFY)
    for table in TABLES:
        # (replaced if there: a database whose version was set back by hand keeps it)
        op.execute(f'DROP TRIGGER IF EXISTS tessera_live ON "{table}"')
        op.execute(
            f'CREATE TRIGGER tessera_live AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION tessera_notify()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS tessera_live ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS tessera_notify()")
    op.execute("DROP FUNCTION IF EXISTS tessera_channel()")
