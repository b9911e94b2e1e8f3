"""The services directory, in Open Referral UK (HSDS 3.0 UK profile) tables and names."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db

UUID_LEN = 36


def utcnow() -> datetime:
    """Timezone-aware now, for audit columns."""
    return datetime.now(UTC)


def _id() -> Mapped[str]:
    return mapped_column(String(UUID_LEN), primary_key=True)


def _child_fk(table: str, nullable: bool = True) -> Mapped[str | None]:
    return mapped_column(
        String(UUID_LEN),
        ForeignKey(f"{table}.id", ondelete="CASCADE"),
        index=True,
        nullable=nullable,
    )


class Organization(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "organization"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    logo: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)


class Service(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "service"
    id: Mapped[str] = _id()
    organization_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="active", index=True)
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    assured_date: Mapped[str | None] = mapped_column(String(32))
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Helpline bookkeeping, not ORUK: which feed owns the row, the id the feed gave it,
    # and a hash of its content so a re-import can tell "unchanged" without diffing tables.
    source: Mapped[str] = mapped_column(String(200), index=True, default="")
    source_id: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    phones: Mapped[list[Phone]] = relationship(
        cascade="all, delete-orphan", foreign_keys="Phone.service_id"
    )
    contacts: Mapped[list[Contact]] = relationship(cascade="all, delete-orphan")
    schedules: Mapped[list[Schedule]] = relationship(
        cascade="all, delete-orphan", foreign_keys="Schedule.service_id"
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(cascade="all, delete-orphan")
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        cascade="all, delete-orphan"
    )
    cost_options: Mapped[list[CostOption]] = relationship(cascade="all, delete-orphan")
    languages: Mapped[list[Language]] = relationship(
        cascade="all, delete-orphan", foreign_keys="Language.service_id"
    )
    attributes: Mapped[list[Attribute]] = relationship(
        cascade="all, delete-orphan",
        primaryjoin="and_(Service.id == foreign(Attribute.link_id),"
        " Attribute.link_entity == 'service')",
    )


class Location(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "location"
    id: Mapped[str] = _id()
    location_type: Mapped[str] = mapped_column(String(32), default="physical")
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    addresses: Mapped[list[Address]] = relationship(cascade="all, delete-orphan")
    accessibility: Mapped[list[Accessibility]] = relationship(cascade="all, delete-orphan")


class Address(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "address"
    id: Mapped[str] = _id()
    location_id: Mapped[str | None] = _child_fk("location")
    attention: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str] = mapped_column(Text, default="")
    address_2: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(Text)
    state_province: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    country: Mapped[str] = mapped_column(String(2), default="GB")
    address_type: Mapped[str] = mapped_column(String(16), default="physical")


class ServiceAtLocation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "service_at_location"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    location_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[Location | None] = relationship()


class Contact(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "contact"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)


class Phone(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "phone"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    location_id: Mapped[str | None] = _child_fk("location")
    contact_id: Mapped[str | None] = _child_fk("contact")
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)


class Schedule(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "schedule"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    service_at_location_id: Mapped[str | None] = _child_fk("service_at_location")
    valid_from: Mapped[str | None] = mapped_column(String(32))
    valid_to: Mapped[str | None] = mapped_column(String(32))
    dtstart: Mapped[str | None] = mapped_column(String(32))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[str | None] = mapped_column(String(16))
    closes_at: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class ServiceArea(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "service_area"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    name: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(32))
    uri: Mapped[str | None] = mapped_column(Text)


class Taxonomy(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "taxonomy"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(32))


class TaxonomyTerm(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "taxonomy_term"
    id: Mapped[str] = _id()
    code: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    taxonomy: Mapped[str | None] = mapped_column(Text)
    taxonomy_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), ForeignKey("taxonomy.id", ondelete="SET NULL")
    )
    term_uri: Mapped[str | None] = mapped_column(Text)


class Attribute(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attribute"
    id: Mapped[str] = _id()
    link_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    link_type: Mapped[str | None] = mapped_column(Text)
    link_entity: Mapped[str] = mapped_column(String(32), default="service")
    taxonomy_term_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str | None] = mapped_column(Text)
    taxonomy_term: Mapped[TaxonomyTerm | None] = relationship()


class CostOption(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "cost_option"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    valid_from: Mapped[str | None] = mapped_column(String(32))
    valid_to: Mapped[str | None] = mapped_column(String(32))
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)


class Language(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "language"
    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _child_fk("service")
    location_id: Mapped[str | None] = _child_fk("location")
    name: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Accessibility(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "accessibility"
    id: Mapped[str] = _id()
    location_id: Mapped[str | None] = _child_fk("location")
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class DirectoryRevision(db.Model):  # type: ignore[name-defined,misc]
    """One row whose counter moves whenever the directory changes, so search caches refresh."""

    __tablename__ = "directory_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedImport(db.Model):  # type: ignore[name-defined,misc]
    """The last import of each feed: when it was tried, when it last worked, how to ask again."""

    __tablename__ = "feed_import"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    location: Mapped[str] = mapped_column(Text)  # the URL, or the files, it was read from
    # JSON list, one {"etag", "last_modified"} per page, for conditional requests next time.
    validators: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    problem: Mapped[str | None] = mapped_column(Text)  # why the last attempt was not whole
    # JSON: what the last import changed ({"created": 2, "updated": 1, "deactivated": 0, ...}).
    changes: Mapped[str | None] = mapped_column(Text)
