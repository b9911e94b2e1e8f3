"""insight: the figures a manager needs that were not kept

The services each text's search found (sms_message.service_ids, on the row the text writes
anyway), when an adviser took a waiting caller (escalation.answered_at), what each text the
helpline sends on its own costs in segments (outbound_message.segments), and what each feed's
last import changed (feed_import.changes).

Revision ID: d4f6a8c0e2b1
Revises: e5a7c9d1f3b4
Create Date: 2026-11-29 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f6a8c0e2b1'
down_revision = 'e5a7c9d1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sms_message') as batch:
        batch.add_column(sa.Column('service_ids', sa.Text(), nullable=True))
    with op.batch_alter_table('escalation') as batch:
        batch.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbound_message') as batch:
        batch.add_column(sa.Column('segments', sa.Integer(), nullable=True))
    with op.batch_alter_table('feed_import') as batch:
        batch.add_column(sa.Column('changes', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('feed_import') as batch:
        batch.drop_column('changes')
    with op.batch_alter_table('outbound_message') as batch:
        batch.drop_column('segments')
    with op.batch_alter_table('escalation') as batch:
        batch.drop_column('answered_at')
    with op.batch_alter_table('sms_message') as batch:
        batch.drop_column('service_ids')
