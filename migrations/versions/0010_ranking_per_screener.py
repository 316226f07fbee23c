"""ranking per screener: in blind dual screening each screener's queue has a model of its own

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Scores were kept for one run per review, keyed by record; now for every current run,
keyed by run and record. The latest run of each review becomes its team model, and its
scores are carried over, so queues keep their order until the next training.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SCORE_COLUMNS = ('run_id', 'record_id', 'review_id', 'score', 'terms')


def upgrade() -> None:
    # record_score is rebuilt with its new key; it goes first, since on SQLite the batch copy
    # of ranking_run drops that table, which record_score's foreign key would refuse.
    scores = _take_scores()
    op.drop_index('ix_record_score_review_score', table_name='record_score')
    op.drop_table('record_score')
    with op.batch_alter_table('ranking_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screener_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('current', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('labels_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key('fk_ranking_run_screener_id_user', 'user', ['screener_id'], ['id'])
        batch_op.create_index('ix_ranking_run_review_current', ['review_id', 'current'], unique=False)
    op.execute("UPDATE ranking_run SET current = TRUE WHERE id IN (SELECT max(id) FROM ranking_run GROUP BY review_id)")
    with op.batch_alter_table('ranking_run', schema=None) as batch_op:
        batch_op.alter_column('current', server_default=None)
        batch_op.alter_column('labels_digest', server_default=None)
    table = _create_record_score(primary_key=('run_id', 'record_id'))
    op.create_index('ix_record_score_review_id', 'record_score', ['review_id'], unique=False)
    if scores:
        op.bulk_insert(table, scores)


def downgrade() -> None:
    # Only the team models' scores fit the old table, which held one score per record.
    scores = [row for row in _take_scores(team_only=True)]
    op.drop_index('ix_record_score_review_id', table_name='record_score')
    op.drop_table('record_score')
    with op.batch_alter_table('ranking_run', schema=None) as batch_op:
        batch_op.drop_index('ix_ranking_run_review_current')
        batch_op.drop_constraint('fk_ranking_run_screener_id_user', type_='foreignkey')
        batch_op.drop_column('labels_digest')
        batch_op.drop_column('current')
        batch_op.drop_column('screener_id')
    table = _create_record_score(primary_key=('record_id',))
    op.create_index('ix_record_score_review_score', 'record_score', ['review_id', 'score'], unique=False)
    if scores:
        op.bulk_insert(table, scores)


def _take_scores(team_only: bool = False) -> list[dict]:
    query = f"SELECT {', '.join('s.' + name for name in SCORE_COLUMNS)} FROM record_score s"
    if team_only:
        query += " JOIN ranking_run r ON r.id = s.run_id WHERE r.current AND r.screener_id IS NULL"
    score_table = sa.table('record_score', *(sa.column(name) for name in SCORE_COLUMNS[:4]),
                           sa.column('terms', sa.JSON()))
    rows = op.get_bind().execute(sa.text(query).columns(*score_table.c)).mappings()
    return [dict(row) for row in rows]


def _create_record_score(primary_key: tuple[str, ...]) -> sa.Table:
    return op.create_table('record_score',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['ranking_run.id'], ),
    sa.PrimaryKeyConstraint(*primary_key)
    )
