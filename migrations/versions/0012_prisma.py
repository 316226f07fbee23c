"""prisma: identification route, records removed before screening, diagram labels

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prisma_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('original', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'kind', 'original', name='uq_prisma_label_original')
    )
    with op.batch_alter_table('prisma_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prisma_label_review_id'), ['review_id'], unique=False)

    op.create_table('record_removal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('removed_by_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('restored_by_id', sa.Integer(), nullable=True),
    sa.Column('restored_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['restored_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_removal', schema=None) as batch_op:
        batch_op.create_index('ix_record_removal_record_restored', ['record_id', 'restored_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_removal_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identification', sa.Enum('database', 'register', 'website', 'organisation', 'citation_searching', name='identificationroute', native_enum=False, length=20),
                                      nullable=False, server_default='database'))
    # Existing imports were all searches of databases: the default stays for them, not for new rows.
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.alter_column('identification', server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('identification')

    with op.batch_alter_table('record_removal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_removal_review_id'))
        batch_op.drop_index('ix_record_removal_record_restored')

    op.drop_table('record_removal')
    with op.batch_alter_table('prisma_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prisma_label_review_id'))

    op.drop_table('prisma_label')
