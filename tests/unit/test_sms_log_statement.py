"""The one-statement log of a text (PostgreSQL) names every column the ORM would write: a column
added to the models must be added to the statement too, or texts logged by it would lack it."""

from __future__ import annotations

import re

from helpline.sms.conversations import _LOG_AND_REMEMBER
from helpline.sms.models import SmsConversation, SmsMessage


def _columns_inserted_into(table: str) -> set[str]:
    found = re.search(rf"INSERT INTO {table}\b[^(]*\(([^)]*)\)", _LOG_AND_REMEMBER.text)
    assert found, f"no INSERT INTO {table} in the statement"
    return {name.strip() for name in found.group(1).split(",")}


def test_every_column_of_a_logged_text_is_written_by_the_one_statement() -> None:
    columns = {c.name for c in SmsMessage.__table__.columns if not c.primary_key}
    assert _columns_inserted_into("sms_message") == columns


def test_every_column_of_a_conversation_is_written_by_the_one_statement() -> None:
    assert _columns_inserted_into("sms_conversation") == {
        c.name for c in SmsConversation.__table__.columns}
