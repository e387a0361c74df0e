"""An append-only audit trail, chained by hash

Revision ID: a7d1e5c3b920
Revises: a3c9e1f0b7d2
Create Date: 2026-12-04 07:05:00
"""
from alembic import op
import sqlalchemy as sa

import forum.models.types

revision = 'a7d1e5c3b920'
down_revision = 'a3c9e1f0b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', forum.models.types.UTCDateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('before_json', sa.Text(), nullable=True),
        sa.Column('after_json', sa.Text(), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('previous_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_audit_entries_proposal_id_proposals'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries')),
    )
    op.create_index('ix_audit_entries_action_seq', 'audit_entries', ['action', 'seq'])
    op.create_index('ix_audit_entries_proposal_seq', 'audit_entries', ['proposal_id', 'seq'])
    op.create_index(op.f('ix_audit_entries_actor_id'), 'audit_entries', ['actor_id'])
    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )


def downgrade():
    op.drop_table('audit_head')
    op.drop_index(op.f('ix_audit_entries_actor_id'), table_name='audit_entries')
    op.drop_index('ix_audit_entries_proposal_seq', table_name='audit_entries')
    op.drop_index('ix_audit_entries_action_seq', table_name='audit_entries')
    op.drop_table('audit_entries')
