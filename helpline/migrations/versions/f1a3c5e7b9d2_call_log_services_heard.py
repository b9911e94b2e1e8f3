"""call log: the services read to each caller, and their own words when nothing was found

Directory health names the services no search returned by phone as well as by text, and
insight's unmet words include what callers said at the menu when it found no service.

Revision ID: f1a3c5e7b9d2
Revises: d4f6a8c0e2b1
Create Date: 2026-11-29 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a3c5e7b9d2'
down_revision = 'd4f6a8c0e2b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_log') as batch:
        batch.add_column(sa.Column('service_ids', sa.Text(), nullable=True))
        batch.add_column(sa.Column('body', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('call_log') as batch:
        batch.drop_column('body')
        batch.drop_column('service_ids')
