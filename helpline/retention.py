"""Retention: personal data is kept only RETENTION_DAYS, and one family's data can be erased.

Tables are found from the models' metadata, not listed here: any table with a `created_at` column
and a column named like personal data (phone_number, body, recording_url, summary) is covered,
so a channel that adds a table is covered too. Rows are anonymised, not deleted, so the anonymous
counts (how many texts, calls and callbacks, when, on which channel) stay for reporting.
A table keyed by phone_number with only an updated_at (a conversation's state) has its rows
deleted once untouched for the period: the key itself is the personal data. Opt-outs (keyed by
phone_number, no created_at or updated_at) are kept: they are what stops us texting someone who
said STOP.
The console's audit log (who viewed or worked a family's record) is kept for its own period,
AUDIT_RETENTION_DAYS, by the same job; erasing a number clears it from the log as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import Column, ColumnElement, Table, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from helpline.directory.models import utcnow
from helpline.extensions import affected_rows, db

log = logging.getLogger(__name__)

PERSONAL_COLUMNS = ("phone_number", "body", "recording_url", "summary")
# Deletes one recording where it is kept (Twilio); raises when it could not.
RecordingDeleter = Callable[[str], None]
ERASED_NUMBER = "erased"


@dataclass(frozen=True)
class PersonalTable:
    """A table holding personal data and the columns to clear."""

    table: Table
    columns: tuple[Column, ...]  # type: ignore[type-arg]


def _gateway_deleter() -> RecordingDeleter:
    from helpline.outbound.gateway import delete_recording

    return delete_recording


def personal_tables() -> list[PersonalTable]:
    """Every mapped table with created_at and at least one personal-data column."""
    found = []
    for table in db.metadata.sorted_tables:
        if "created_at" not in table.c:
            continue
        columns = tuple(table.c[name] for name in PERSONAL_COLUMNS if name in table.c)
        if columns:
            found.append(PersonalTable(table, columns))
    return found


def keyed_by_number() -> list[Table]:
    """Tables whose primary key is a phone number and that track updated_at (state, not a log)."""
    return [
        table
        for table in db.metadata.sorted_tables
        if [c.name for c in table.primary_key.columns] == ["phone_number"]
        and "updated_at" in table.c
        and "created_at" not in table.c
    ]


def _erased_value(column: Column) -> object:  # type: ignore[type-arg]
    if column.nullable:
        return None
    return ERASED_NUMBER if column.name == "phone_number" else ""


def _still_personal(column: Column) -> ColumnElement[bool]:  # type: ignore[type-arg]
    erased = _erased_value(column)
    return column.is_not(None) if erased is None else column != erased


@dataclass
class RecordingSweep:
    """Deletes at Twilio the recordings erased rows point to, each once per run.

    Erasing only our copy of the address would leave the family's voice in the Twilio account,
    so a row whose recording can't be deleted is left whole (found again by the same erasure)
    and its recording tried again next run. After one failure the run stops asking (Twilio is
    down or refusing, and each try could wait for a timeout) and keeps the rest too.
    """

    delete: RecordingDeleter
    outcome: dict[str, bool] = field(default_factory=dict)
    failed: bool = False

    def sweep(self, session: Session, where: ColumnElement[bool], item: PersonalTable) -> set[str]:
        """Delete the recordings of the rows `where` selects; every address not deleted."""
        if "recording_url" not in item.table.c:
            return self.kept()
        column = item.table.c.recording_url
        for url in session.scalars(select(column).where(where, column.is_not(None)).distinct()):
            if url in self.outcome:
                continue
            if self.failed:
                self.outcome[url] = False
                continue
            try:
                self.delete(url)
                self.outcome[url] = True
            except Exception as exc:  # noqa: BLE001 - kept and retried; the rest goes on
                log.warning("retention: could not delete a recording at Twilio (%s); its rows "
                            "are kept until the next run", exc)
                self.outcome[url] = False
                self.failed = True
        return self.kept()

    def kept(self) -> set[str]:
        """Addresses of recordings not deleted: their rows keep them."""
        return {url for url, deleted in self.outcome.items() if not deleted}


def _erase(
    session: Session, where: ColumnElement[bool], item: PersonalTable, keep: set[str]
) -> int:
    values: dict[str, object] = {column.name: _erased_value(column) for column in item.columns}
    if "updated_at" in item.table.c:
        values["updated_at"] = utcnow()
    pending = or_(*(_still_personal(column) for column in item.columns))
    if keep and "recording_url" in item.table.c:
        column = item.table.c.recording_url
        where = and_(where, or_(column.is_(None), column.not_in(sorted(keep))))
    return affected_rows(
        session.execute(update(item.table).where(and_(where, pending)).values(**values))
    )


def erase_older_than(
    session: Session, *, days: int, now: datetime | None = None,
    recordings: RecordingSweep | None = None,
) -> dict[str, int]:
    """Anonymise personal data in rows created more than `days` ago; counts by table.

    Recordings are deleted at Twilio first (by the gateway unless `recordings` says otherwise).
    """
    cutoff = (now or utcnow()) - timedelta(days=days)
    recordings = recordings or RecordingSweep(_gateway_deleter())
    counts = {}
    for item in personal_tables():
        where = item.table.c.created_at < cutoff
        counted = _erase(session, where, item, recordings.sweep(session, where, item))
        if counted:
            counts[item.table.name] = counted
    for table in keyed_by_number():
        gone = affected_rows(session.execute(delete(table).where(table.c.updated_at < cutoff)))
        if gone:
            counts[table.name] = gone
    session.commit()
    log.info("retention: anonymised rows older than %s days: %s", days, counts or "none")
    return counts


# Twilio keeps its own record of every text and call, with the number and (for texts) the words:
# (table, sid column, kind) where the helpline keeps the sids of a number's texts and calls.
TWILIO_RECORDS = (
    ("sms_message", "message_sid", "message"),
    ("outbound_message", "twilio_sid", "message"),
    ("call_log", "call_sid", "call"),
)


def twilio_records(session: Session, number: str) -> list[tuple[str, str]]:
    """(kind, sid) of every text and call about `number` that Twilio keeps a record of."""
    found: set[tuple[str, str]] = set()
    for name, column, kind in TWILIO_RECORDS:
        table = db.metadata.tables[name]
        sids = session.scalars(select(table.c[column]).where(
            table.c.phone_number == number, table.c[column].is_not(None)))
        # Only Twilio's own sids: SM/MM for texts, CA for calls (never a test's made-up id).
        prefixes = ("SM", "MM") if kind == "message" else ("CA",)
        found.update((kind, sid) for sid in sids if sid[:2] in prefixes and len(sid) == 34)
    return sorted(found)


def delete_at_twilio(records: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Delete each text and call record at Twilio; those that could not be deleted."""
    from helpline.outbound.gateway import OutboundError, delete_call, delete_message

    failed = []
    for kind, sid in records:
        try:
            (delete_message if kind == "message" else delete_call)(sid)
        except OutboundError as exc:
            log.warning("erase: could not delete %s %s at Twilio: %s", kind, sid, exc)
            failed.append((kind, sid))
    return failed


def erase_number(
    session: Session, number: str, *, recordings: RecordingSweep | None = None
) -> dict[str, int]:
    """Anonymise every row about one phone number, whatever its age; counts by table."""
    recordings = recordings or RecordingSweep(_gateway_deleter())
    counts = {}
    for item in personal_tables():
        if "phone_number" not in item.table.c:
            continue
        where = item.table.c.phone_number == number
        counted = _erase(session, where, item, recordings.sweep(session, where, item))
        if counted:
            counts[item.table.name] = counted
    for table in keyed_by_number():
        where = table.c.phone_number == number
        gone = affected_rows(session.execute(delete(table).where(where)))
        if gone:
            counts[table.name] = gone
    # The audit log keeps its entries for its own period, but not this family's number.
    from helpline.console.audit import erase_number as erase_audit_copies

    audited = erase_audit_copies(session, number)
    if audited:
        counts["audit_entry"] = audited
    session.commit()
    return counts


@click.command("erase")
@with_appcontext
@click.argument("number")
def erase_command(number: str) -> None:
    """Erase one family's texts, calls, messages and callbacks (their STOP is kept)."""
    from helpline.families.phone_numbers import to_e164
    from helpline.logs import mask_phone

    e164 = to_e164(number)
    if e164 is None:
        raise click.BadParameter(f"{number!r} is not a phone number", param_hint="NUMBER")
    recordings = RecordingSweep(_gateway_deleter())
    # Read before the rows are anonymised: afterwards nothing ties the sids to the number.
    records = twilio_records(db.session(), e164)
    counts = erase_number(db.session(), e164, recordings=recordings)
    failed = delete_at_twilio(records)
    total = sum(counts.values())
    click.echo(
        f"Erased {total} row(s) about {mask_phone(e164)}"
        + (": " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())) if counts else "")
    )
    click.echo(f"Deleted {len(records) - len(failed)} of {len(records)} text and call record(s)"
               " at Twilio")
    if failed:
        click.echo("Could not delete at Twilio (delete these in the Twilio console, or run this"
                   " again before the next retention run): "
                   + ", ".join(f"{kind} {sid}" for kind, sid in failed), err=True)
    if recordings.kept():
        click.echo(
            f"{len(recordings.kept())} recording(s) could not be deleted at Twilio, so the rows "
            "holding them were kept: run this again later.",
            err=True,
        )
    if failed or recordings.kept():
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register `helpline erase`."""
    app.cli.add_command(erase_command)
