"""sms_message: only the indexes a query uses, partial where most rows need no entry

Every text writes one row in and one or more out, and each index on the table is written
again for every one of them. `intent` and `keyword` were indexed but no query looks a text up
by them (the insight pages read a period through `created_at`). A reply's `message_sid` comes
with its first status callback, the only look-up by it, and a text in replies to nothing: both
indexes now leave out rows whose column is empty (a look-up's "= :sid" implies NOT NULL, so
SQLite's planner uses them too).

Revision ID: a3c5e7f9b1d4
Revises: f2b4d6e8a0c1
Create Date: 2026-11-29 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d4'
down_revision = 'f2b4d6e8a0c1'
branch_labels = None
depends_on = None

SENT = "message_sid IS NOT NULL"
REPLY = "replying_to IS NOT NULL"


def upgrade():
    op.drop_index('ix_sms_message_intent', table_name='sms_message')
    op.drop_index('ix_sms_message_keyword', table_name='sms_message')
    op.drop_index('ix_sms_message_message_sid', table_name='sms_message')
    op.drop_index('ix_sms_message_replying_to', table_name='sms_message')
    op.create_index('ix_sms_message_message_sid', 'sms_message', ['message_sid'],
                    postgresql_where=sa.text(SENT), sqlite_where=sa.text(SENT))
    op.create_index('ix_sms_message_replying_to', 'sms_message', ['replying_to'],
                    postgresql_where=sa.text(REPLY), sqlite_where=sa.text(REPLY))


def downgrade():
    op.drop_index('ix_sms_message_replying_to', table_name='sms_message')
    op.drop_index('ix_sms_message_message_sid', table_name='sms_message')
    op.create_index('ix_sms_message_replying_to', 'sms_message', ['replying_to'])
    op.create_index('ix_sms_message_message_sid', 'sms_message', ['message_sid'])
    op.create_index('ix_sms_message_keyword', 'sms_message', ['keyword'])
    op.create_index('ix_sms_message_intent', 'sms_message', ['intent'])
