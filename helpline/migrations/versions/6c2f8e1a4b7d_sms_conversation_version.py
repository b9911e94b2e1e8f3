"""sms: a version on each conversation, so two texts at once can't undo each other

Two texts from one number answered at the same moment each read the conversation, then each
wrote it back: the later write undid the earlier one (a language switch, a list, a callback
already asked for). The write now names the version it read and fails if another came first.

Revision ID: 6c2f8e1a4b7d
Revises: 5b1e7c2d9a40
Create Date: 2026-11-28 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c2f8e1a4b7d'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sms_conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))


def downgrade():
    with op.batch_alter_table('sms_conversation', schema=None) as batch_op:
        batch_op.drop_column('version')
