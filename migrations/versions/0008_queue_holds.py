"""queue holds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_hold',
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('title_abstract', 'full_text', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('reviewer_id', 'review_id', 'stage')
    )
    with op.batch_alter_table('queue_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_hold_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('queue_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_hold_record_id'))

    op.drop_table('queue_hold')
