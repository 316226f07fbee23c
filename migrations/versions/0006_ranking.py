"""ranking

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ranking_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('trained_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('relevant', sa.Integer(), nullable=False),
    sa.Column('irrelevant', sa.Integer(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ranking_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ranking_run_review_id'), ['review_id'], unique=False)

    op.create_table('record_score',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['ranking_run.id'], ),
    sa.PrimaryKeyConstraint('record_id')
    )
    with op.batch_alter_table('record_score', schema=None) as batch_op:
        batch_op.create_index('ix_record_score_review_score', ['review_id', 'score'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_score', schema=None) as batch_op:
        batch_op.drop_index('ix_record_score_review_score')

    op.drop_table('record_score')
    with op.batch_alter_table('ranking_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ranking_run_review_id'))

    op.drop_table('ranking_run')
