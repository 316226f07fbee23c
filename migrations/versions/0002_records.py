"""import batches, records and duplicate pairs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('search_date', sa.Date(), nullable=True),
    sa.Column('search_string', sa.Text(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('stored_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('file_format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('encoding', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sa.Enum('queued', 'importing', 'needs_consent', 'complete', 'failed', 'cancelled', name='batchstatus', native_enum=False, length=20), nullable=False),
    sa.Column('skip_empty', sa.Boolean(), nullable=False),
    sa.Column('records_read', sa.Integer(), nullable=False),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('empty_count', sa.Integer(), nullable=False),
    sa.Column('empty_examples', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_review_id'), ['review_id'], unique=False)

    op.create_table('record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('journal', sa.Text(), nullable=False),
    sa.Column('volume', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('issue', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('pages', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('doi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('pmid', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('merge_kind', sa.Enum('auto', 'manual', name='mergekind', native_enum=False, length=20), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_doi'), ['doi'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_pmid'), ['pmid'], unique=False)
        batch_op.create_index('ix_record_review_canonical', ['review_id', 'duplicate_of_id'], unique=False)

    op.create_table('duplicate_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('candidate', 'auto_merged', 'same', 'different', 'unmerged', name='pairstatus', native_enum=False, length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['first_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['second_id'], ['record.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('first_id', 'second_id', name='uq_duplicate_pair_records')
    )
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pair_review_id'), ['review_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_pair_review_id'))

    op.drop_table('duplicate_pair')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index('ix_record_review_canonical')
        batch_op.drop_index(batch_op.f('ix_record_pmid'))
        batch_op.drop_index(batch_op.f('ix_record_doi'))
        batch_op.drop_index(batch_op.f('ix_record_batch_id'))

    op.drop_table('record')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_review_id'))

    op.drop_table('import_batch')
