"""feedback answers: managers tag, answer and publish families' comments ("You said, we did")

local_offer_feedback gains the manager's side (area, theme, the published wording, the council's
response and action, when it was published and when the family was told) and the two other
sources of a comment: a voicemail an adviser marks as feedback (callback_id) and a comment
recorded at the phone menu (recording_url).

Revision ID: e5a7c9d1f3b4
Revises: b3e5f7a9c1d2
Create Date: 2026-11-29 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c9d1f3b4'
down_revision = 'b3e5f7a9c1d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('local_offer_feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('callback_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('area', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('theme', sa.String(length=80), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('published_comment', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('response', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('action_taken', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_local_offer_feedback_callback_id'), ['callback_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_local_offer_feedback_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_local_offer_feedback_published_at'),
                              ['published_at'], unique=False)


def downgrade():
    with op.batch_alter_table('local_offer_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_offer_feedback_published_at'))
        batch_op.drop_index(batch_op.f('ix_local_offer_feedback_area'))
        batch_op.drop_index(batch_op.f('ix_local_offer_feedback_callback_id'))
        for column in ('updated_at', 'answered_at', 'published_at', 'action_taken', 'response',
                       'published_comment', 'theme', 'area', 'callback_id', 'recording_url'):
            batch_op.drop_column(column)
