"""codebook instrument and audit trail: typed code fields, anchor examples, coding
values, and the audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:46:34.216214
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('code_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("type IN ('integer','decimal','text','date','choice','boolean')", name=op.f('ck_code_field_type')),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_code_field_code_id_code'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_field')),
    sa.UniqueConstraint('code_id', 'name', name=op.f('uq_code_field_code_id'))
    )
    with op.batch_alter_table('code_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_field_code_id'), ['code_id'], unique=False)

    op.create_table('code_example',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], name=op.f('fk_code_example_code_id_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_code_example_coding_id_coding'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_example'))
    )
    with op.batch_alter_table('code_example', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_example_code_id'), ['code_id'], unique=False)

    op.create_table('coding_value',
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], name=op.f('fk_coding_value_coding_id_coding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['field_id'], ['code_field.id'], name=op.f('fk_coding_value_field_id_code_field'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coding_id', 'field_id', name=op.f('pk_coding_value'))
    )


def downgrade() -> None:
    op.drop_table('coding_value')
    with op.batch_alter_table('code_example', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_example_code_id'))

    op.drop_table('code_example')
    with op.batch_alter_table('code_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_field_code_id'))

    op.drop_table('code_field')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_log')
