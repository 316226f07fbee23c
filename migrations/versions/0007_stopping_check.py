"""stopping check

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stopping_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('target_recall', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('n_unscreened', sa.Integer(), nullable=False),
    sa.Column('relevant_before', sa.Integer(), nullable=False),
    sa.Column('sample', sa.JSON(), nullable=False),
    sa.Column('relevant_in_sample', sa.Integer(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('reject', sa.Boolean(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stopping_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stopping_check_review_id'), ['review_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stopping_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stopping_check_review_id'))

    op.drop_table('stopping_check')
