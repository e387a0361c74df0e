"""One consensus rule: how stand-asides and silent members count, and each check's roll

Revision ID: a3c9e1f0b7d2
Revises: c5dcaeb75682
Create Date: 2026-12-03 20:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'a3c9e1f0b7d2'
down_revision = 'c5dcaeb75682'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('convention_rules') as batch:
        batch.add_column(sa.Column('stand_asides_count', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('silent_counts', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('live_session_checks') as batch:
        batch.add_column(sa.Column('roll_json', sa.Text(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('interrupted', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('live_session_checks') as batch:
        batch.drop_column('interrupted')
        batch.drop_column('roll_json')
    with op.batch_alter_table('convention_rules') as batch:
        batch.drop_column('silent_counts')
        batch.drop_column('stand_asides_count')
