"""limits: hourly counts per number and overall, and each conversation's texts this hour

One number could make the helpline send without end: 500 texts in 5 seconds were each answered.
Each conversation now counts its texts in the current clock hour (read and written with the
conversation, so it costs no extra round trip), and limit_count holds the other hourly counts
(follow-up texts per number, outbound texts and calls overall) when Redis is not configured.

Revision ID: b3e5f7a9c1d2
Revises: 9a1d3c5e7f20
Create Date: 2026-11-29 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e5f7a9c1d2'
down_revision = '9a1d3c5e7f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'limit_count',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=32), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.PrimaryKeyConstraint('kind', 'subject', 'hour', name=op.f('pk_limit_count')),
    )
    with op.batch_alter_table('sms_conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_hour', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.add_column(sa.Column('texts_this_hour', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))


def downgrade():
    with op.batch_alter_table('sms_conversation', schema=None) as batch_op:
        batch_op.drop_column('texts_this_hour')
        batch_op.drop_column('counted_hour')
    op.drop_table('limit_count')
