"""sms: dedupe by the inbound message row; replies name the text they answer

The separate sms_handled_message table (a MessageSid and a copy of its replies) is replaced by
a unique index on inbound rows' message_sid and a replying_to column on replies: one insert
logs a text and claims its MessageSid, and the copy of the replies (personal data the
retention job did not cover) goes.

Revision ID: 5b1e7c2d9a40
Revises: 38f4650a7c6a
Create Date: 2026-11-28 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c2d9a40'
down_revision = '38f4650a7c6a'
branch_labels = None
depends_on = None

INBOUND = sa.text("direction = 'in'")


def upgrade():
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replying_to', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_sms_message_replying_to'), ['replying_to'],
                              unique=False)
    # Older rows may repeat an inbound MessageSid only after an apology; keep the first.
    op.execute(
        "UPDATE sms_message SET message_sid = NULL WHERE direction = 'in' AND id NOT IN "
        "(SELECT MIN(id) FROM sms_message WHERE direction = 'in' AND message_sid IS NOT NULL "
        "GROUP BY message_sid)"
    )
    op.create_index('uq_sms_message_inbound_sid', 'sms_message', ['message_sid'], unique=True,
                    sqlite_where=INBOUND, postgresql_where=INBOUND)
    with op.batch_alter_table('sms_handled_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_handled_message_created_at'))
    op.drop_table('sms_handled_message')


def downgrade():
    op.create_table('sms_handled_message',
    sa.Column('message_sid', sa.String(length=64), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_sid', name=op.f('pk_sms_handled_message'))
    )
    with op.batch_alter_table('sms_handled_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_handled_message_created_at'), ['created_at'],
                              unique=False)
    op.drop_index('uq_sms_message_inbound_sid', table_name='sms_message')
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_message_replying_to'))
        batch_op.drop_column('replying_to')
