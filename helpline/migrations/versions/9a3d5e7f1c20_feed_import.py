"""directory: feed_import, the last import of each feed

Imports from a URL ask again conditionally (ETag, Last-Modified per page), and /healthz reports
how long ago the directory was last brought in whole.

Revision ID: 9a3d5e7f1c20
Revises: 6c2f8e1a4b7d
Create Date: 2026-11-29 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3d5e7f1c20'
down_revision = '6c2f8e1a4b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_import',
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('location', sa.Text(), nullable=False),
        sa.Column('validators', sa.Text(), nullable=True),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('succeeded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('source'),
    )


def downgrade():
    op.drop_table('feed_import')
