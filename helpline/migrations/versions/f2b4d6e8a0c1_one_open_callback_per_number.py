"""callbacks: at most one open request per number, held by the database (a partial unique index)

Two requests from one number at the same moment (a text and a call, or two texts delivered
together) each found no open request and each made one. Any such pairs already made are
joined first: the newest keeps the older ones' words, and the older ones are closed as done.

Revision ID: f2b4d6e8a0c1
Revises: f1a3c5e7b9d2
Create Date: 2026-11-29 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b4d6e8a0c1'
down_revision = 'f1a3c5e7b9d2'
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'claimed', 'attempted') AND phone_number IS NOT NULL"


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        f"SELECT id, phone_number, summary FROM callback_request WHERE {OPEN} "
        "ORDER BY phone_number, id")).all()
    by_number = {}
    for row in rows:
        by_number.setdefault(row.phone_number, []).append(row)
    for kept, *older in (list(reversed(group)) for group in by_number.values()):
        if not older:
            continue
        words = "\n".join([*(r.summary for r in reversed(older)), kept.summary])[-4000:]
        connection.execute(sa.text("UPDATE callback_request SET summary = :words WHERE id = :id"),
                           {"words": words, "id": kept.id})
        for row in older:
            connection.execute(sa.text(
                "UPDATE callback_request SET status = 'done' WHERE id = :id"), {"id": row.id})
    op.create_index('uq_callback_request_open_number', 'callback_request', ['phone_number'],
                    unique=True, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index('uq_callback_request_open_number', table_name='callback_request')
