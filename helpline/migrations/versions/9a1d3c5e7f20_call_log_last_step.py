"""voice: the last step each call took, so a replayed step changes nothing twice

A webhook request Twilio (or anyone holding a signed request) sends again for the same call and
the same step appended the step to the call's path a second time. The call now keeps a digest of
the step it last took, and a request with the same digest writes nothing.

Revision ID: 9a1d3c5e7f20
Revises: c71f0b2d4e88
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a1d3c5e7f20'
down_revision = 'c71f0b2d4e88'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_step', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.drop_column('last_step')
