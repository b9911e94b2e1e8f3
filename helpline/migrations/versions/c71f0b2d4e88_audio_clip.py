"""speech: audio_clip, rendered prompts in the database

Web and worker processes no longer share a folder: the worker (or `helpline audio build`)
stores each rendered prompt here and any web process serves it.

Revision ID: c71f0b2d4e88
Revises: 22643c7b0563
Create Date: 2026-11-29 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c71f0b2d4e88'
down_revision = '22643c7b0563'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audio_clip',
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('engine', sa.String(length=16), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('language', 'name'),
    )


def downgrade():
    op.drop_table('audio_clip')
