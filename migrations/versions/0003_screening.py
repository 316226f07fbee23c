"""screening decisions

Existing reviews get the defaults (dual, blind) through
server defaults on the new columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exclusion_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'label', name='uq_exclusion_reason_label')
    )
    with op.batch_alter_table('exclusion_reason', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exclusion_reason_review_id'), ['review_id'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('title_abstract', 'full_text', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('include', 'exclude', 'maybe', name='verdict', native_enum=False, length=20), nullable=False),
    sa.Column('reason_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reason_id'], ['exclusion_reason.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id', 'stage', 'slot', name='uq_decision_record_stage_slot'),
    sa.UniqueConstraint('record_id', 'stage', 'reviewer_id', name='uq_decision_record_stage_reviewer')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_review_stage', ['review_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('title_abstract', 'full_text', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('verdict', sa.Enum('include', 'exclude', 'maybe', name='verdict', native_enum=False, length=20), nullable=False),
    sa.Column('reason_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('kind', sa.Enum('conflict', 'override', name='resolutionkind', native_enum=False, length=20), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reason_id'], ['exclusion_reason.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id', 'stage', name='uq_resolution_record_stage')
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dual_screening', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('blind', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('inclusion_terms', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('exclusion_terms', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('exclusion_terms')
        batch_op.drop_column('inclusion_terms')
        batch_op.drop_column('blind')
        batch_op.drop_column('dual_screening')

    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolution_review_id'))

    op.drop_table('resolution')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_reviewer_id'))
        batch_op.drop_index('ix_decision_review_stage')

    op.drop_table('decision')
    with op.batch_alter_table('exclusion_reason', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exclusion_reason_review_id'))

    op.drop_table('exclusion_reason')
