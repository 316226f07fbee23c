"""extraction: studies and their reports, forms with their versions, codings and their values

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('extraction_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('dual', sa.Boolean(), nullable=False),
    sa.Column('verification', sa.Boolean(), nullable=False),
    sa.Column('reconciler_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reconciler_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('extraction_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extraction_form_review_id'), ['review_id'], unique=False)

    op.create_table('study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_review_id'), ['review_id'], unique=False)

    op.create_table('coding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('extraction', 'verification', 'consensus', name='codingkind', native_enum=False, length=20), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='codingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('resolutions', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coder_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['form_id'], ['extraction_form.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_id', 'study_id', 'slot', name='uq_coding_form_study_slot')
    )
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coding_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index('ix_coding_review_form', ['review_id', 'form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coding_study_id'), ['study_id'], unique=False)

    op.create_table('form_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['extraction_form.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('form_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_section_form_id'), ['form_id'], unique=False)

    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['form_id'], ['extraction_form.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_id', 'number', name='uq_form_version_number')
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_form_id'), ['form_id'], unique=False)

    op.create_table('form_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('help', sa.Text(), nullable=False),
    sa.Column('field_type', sa.Enum('short_text', 'long_text', 'integer', 'decimal', 'yes_no', 'date', 'single_choice', 'multiple_choice', 'hierarchical', 'country', 'group', name='fieldtype', native_enum=False, length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('added_in_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['extraction_form.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['form_field.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['form_section.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_field_form_id'), ['form_id'], unique=False)

    op.create_table('coded_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('parent_uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['form_field.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('coding_id', 'uid', name='uq_coded_row_uid')
    )
    with op.batch_alter_table('coded_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coded_row_coding_id'), ['coding_id'], unique=False)

    op.create_table('coded_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('row_uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source_record_id', sa.Integer(), nullable=True),
    sa.Column('page', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], ),
    sa.ForeignKeyConstraint(['field_id'], ['form_field.id'], ),
    sa.ForeignKeyConstraint(['source_record_id'], ['record.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('coding_id', 'field_id', 'row_uid', name='uq_coded_value_place')
    )
    with op.batch_alter_table('coded_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coded_value_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coded_value_field_id'), ['field_id'], unique=False)

    op.create_table('field_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['field_id'], ['form_field.id'], ),
    sa.ForeignKeyConstraint(['merged_into_id'], ['field_option.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['field_option.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('field_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_option_field_id'), ['field_id'], unique=False)

    op.create_table('study_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('study_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_report_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_study_report_study_id'), ['study_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('study_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_report_study_id'))
        batch_op.drop_index(batch_op.f('ix_study_report_review_id'))

    op.drop_table('study_report')
    with op.batch_alter_table('field_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_option_field_id'))

    op.drop_table('field_option')
    with op.batch_alter_table('coded_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coded_value_field_id'))
        batch_op.drop_index(batch_op.f('ix_coded_value_coding_id'))

    op.drop_table('coded_value')
    with op.batch_alter_table('coded_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coded_row_coding_id'))

    op.drop_table('coded_row')
    with op.batch_alter_table('form_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_field_form_id'))

    op.drop_table('form_field')
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_form_id'))

    op.drop_table('form_version')
    with op.batch_alter_table('form_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_section_form_id'))

    op.drop_table('form_section')
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coding_study_id'))
        batch_op.drop_index('ix_coding_review_form')
        batch_op.drop_index(batch_op.f('ix_coding_coder_id'))

    op.drop_table('coding')
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_review_id'))

    op.drop_table('study')
    with op.batch_alter_table('extraction_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extraction_form_review_id'))

    op.drop_table('extraction_form')
