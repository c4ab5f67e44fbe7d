"""the study around the codings: typed document and case attributes (title, author,
date, source and url become built-in attributes, their values moved with every one
kept), cases, sets of documents and codes, the project journal, code memos and
categories (codes that are not for coding)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BUILTIN = ("title", "author", "date", "source", "url")
TYPES = "type IN ('integer','decimal','text','date','choice','boolean')"


def upgrade() -> None:
    op.create_table('attribute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("name <> ''", name=op.f('ck_attribute_name_not_empty')),
    sa.CheckConstraint("scope IN ('document','case')", name=op.f('ck_attribute_scope')),
    sa.CheckConstraint(TYPES, name=op.f('ck_attribute_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attribute')),
    sa.UniqueConstraint('scope', 'name', name=op.f('uq_attribute_scope'))
    )
    op.create_table('attribute_value',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attribute_id'], ['attribute.id'], name=op.f('fk_attribute_value_attribute_id_attribute'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_attribute_value_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'attribute_id', name=op.f('pk_attribute_value'))
    )
    with op.batch_alter_table('attribute_value', schema=None) as batch_op:
        batch_op.create_index('ix_attribute_value_attribute', ['attribute_id', 'value'], unique=False)

    op.create_table('study_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('guid', sa.String(length=64), nullable=True),
    sa.CheckConstraint("name <> ''", name=op.f('ck_study_case_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_case')),
    sa.UniqueConstraint('name', name=op.f('uq_study_case_name'))
    )
    op.create_table('case_value',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attribute_id'], ['attribute.id'], name=op.f('fk_case_value_attribute_id_attribute'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['study_case.id'], name=op.f('fk_case_value_case_id_study_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'attribute_id', name=op.f('pk_case_value'))
    )
    op.create_table('case_document',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['study_case.id'], name=op.f('fk_case_document_case_id_study_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_case_document_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'document_id', name=op.f('pk_case_document'))
    )
    with op.batch_alter_table('case_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_document_document_id'), ['document_id'], unique=False)

    op.create_table('item_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('guid', sa.String(length=64), nullable=True),
    sa.CheckConstraint("name <> ''", name=op.f('ck_item_set_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_set')),
    sa.UniqueConstraint('name', name=op.f('uq_item_set_name'))
    )
    op.create_table('set_document',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_set_document_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['item_set.id'], name=op.f('fk_set_document_set_id_item_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'document_id', name=op.f('pk_set_document'))
    )
    with op.batch_alter_table('set_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_document_document_id'), ['document_id'], unique=False)

    op.create_table('set_code',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_set_code_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['item_set.id'], name=op.f('fk_set_code_set_id_item_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'code_id', name=op.f('pk_set_code'))
    )
    with op.batch_alter_table('set_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_code_code_id'), ['code_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('guid', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry'))
    )

    # ADD COLUMN with a constant default: SQLite adds it without copying the table.
    # Booleans are written as each database spells them (SQLite 1, PostgreSQL true),
    # the same text a new project's schema has.
    yes = "true" if op.get_bind().dialect.name == "postgresql" else "1"
    op.execute(f"ALTER TABLE code ADD COLUMN is_codable BOOLEAN DEFAULT {yes} NOT NULL")
    op.execute("ALTER TABLE code ADD COLUMN memo TEXT DEFAULT '' NOT NULL")

    # The built-in attributes, and every value the old columns held (empty ones were
    # stored as NULL and stay absent). Dates stay text: importers keep partial dates.
    for order, name in enumerate(BUILTIN):
        op.execute(
            "INSERT INTO attribute (scope, name, type, choices, builtin, sort_order) "
            f"VALUES ('document', '{name}', 'text', '[]', {yes}, {order})"
        )
        op.execute(
            "INSERT INTO attribute_value (document_id, attribute_id, value) "
            f"SELECT d.id, a.id, d.{name} FROM document d, attribute a "
            f"WHERE a.scope = 'document' AND a.name = '{name}' AND d.{name} IS NOT NULL "
            f"AND d.{name} <> ''"
        )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rewrites the rows in place: the
    # full-text index's triggers and rowids stay as they are.
    for name in BUILTIN:
        op.execute(f"ALTER TABLE document DROP COLUMN {name}")


def downgrade() -> None:
    for name in BUILTIN:
        op.execute(f"ALTER TABLE document ADD COLUMN {name} TEXT")
        op.execute(
            f"UPDATE document SET {name} = (SELECT v.value FROM attribute_value v "
            "JOIN attribute a ON a.id = v.attribute_id WHERE v.document_id = document.id "
            f"AND a.scope = 'document' AND a.name = '{name}')"
        )
    op.execute("ALTER TABLE code DROP COLUMN memo")
    op.execute("ALTER TABLE code DROP COLUMN is_codable")
    for table in ("journal_entry", "set_code", "set_document", "item_set", "case_document",
                  "case_value", "study_case", "attribute_value", "attribute"):
        op.drop_table(table)
