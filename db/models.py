"""The schema. Every table of a Tessera project is declared here; migrations are
generated from (and tested against) these models.

Delete rules: pages, code fields, examples and field values belong to their parent
and go with it (CASCADE). A code, document or coder that still has codings cannot be
deleted at the database level (RESTRICT): removing codings is a decision the user
confirms, carried out explicitly by the services."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProjectInfo(Base):
    """One row: the project's name and settings (JSON: blind mode, backups, ...)."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class Coder(Base):
    __tablename__ = "coder"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    color: Mapped[str] = mapped_column(String(9), default="#4c78a8")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # on a team server: the PostgreSQL role this person logs in as (their codings are
    # the ones whose coder has ``db_role = current_user``); empty in a file
    db_role: Mapped[str | None] = mapped_column(String(63))
    __table_args__ = (Index("uq_coder_db_role", "db_role", unique=True),)


class Document(Base):
    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    length: Mapped[int] = mapped_column(Integer)
    source_path: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # title, author, date, source and url are built-in attributes (attribute_value)
    memo: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    # the file the text was read from (a PDF, a Word document...), when it was kept
    original_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("original_file.sha256", ondelete="RESTRICT"), index=True
    )

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )
    # SQLite only (migration 0005): the listing columns without the texts' pages
    __table_args__ = (
        Index(
            "ix_document_listing",
            "name",
            "id",
            "kind",
            "sha256",
            "length",
            "source_path",
            "extra",
        ).ddl_if(dialect="sqlite"),
    )


class OriginalFile(Base):
    """A file as it was imported (the PDF, the Word document), byte for byte, once per
    content: documents refer to it by its sha256. A project from before schema 8 has
    none; a document whose original is gone simply has no original."""

    __tablename__ = "original_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))  # the file's name when imported
    suffix: Mapped[str] = mapped_column(String(16))  # ".pdf", ".docx", ... (lower case)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (CheckConstraint("length(data) = size", name="size"),)


class Page(Base):
    __tablename__ = "page"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    document: Mapped[Document] = relationship(back_populates="pages")
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("char_start <= char_end", name="range"),
    )


class Code(Base):
    __tablename__ = "code"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(300))
    color: Mapped[str] = mapped_column(String(9), default="#f2c14e")
    description: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[str] = mapped_column(Text, default="")
    exclusion: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    guid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # a category organises the codebook and is never applied to text
    is_codable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        # SQLite treats NULLs as distinct in a UNIQUE constraint: coalesce so that
        # top-level codes are unique among themselves too.
        Index("uq_code_parent_name", func.coalesce(parent_id, 0), name, unique=True),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )


class CodeExample(Base):
    """An anchor example of a code, optionally taken from a coding's quote."""

    __tablename__ = "code_example"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("coding.id", ondelete="SET NULL"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CodeField(Base):
    """A typed field that codings of a code carry (count, kind, stance, ...)."""

    __tablename__ = "code_field"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # integer|decimal|text|date|choice|boolean
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        UniqueConstraint("code_id", "name"),
        CheckConstraint(
            "type IN ('integer','decimal','text','date','choice','boolean')", name="type"
        ),
    )


class Coding(Base):
    __tablename__ = "coding"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="RESTRICT"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint('start >= 0 AND start < "end"', name="span"),
        UniqueConstraint(
            "document_id", "code_id", "coder_id", "start", "end", name="uq_coding_span"
        ),
        Index("ix_coding_document_start", "document_id", "start"),
        Index("ix_coding_code", "code_id"),
        Index("ix_coding_coder", "coder_id"),
    )


class CodingValue(Base):
    """The value of one typed field on one coding, stored as canonical text."""

    __tablename__ = "coding_value"
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("coding.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("code_field.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who changed what, when: old and new values as JSON."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


ATTRIBUTE_TYPES = ("text", "integer", "decimal", "date", "choice", "boolean")


class Attribute(Base):
    """A typed attribute (REFI-QDA: variable) of documents or of cases. Built-in ones
    (title, author, date, source, url of documents) cannot be renamed or deleted."""

    __tablename__ = "attribute"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), default="document")  # document|case
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16), default="text")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        UniqueConstraint("scope", "name"),
        CheckConstraint("scope IN ('document','case')", name="scope"),
        CheckConstraint(
            "type IN ('integer','decimal','text','date','choice','boolean')", name="type"
        ),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )


class AttributeValue(Base):
    """A document's value of an attribute, as canonical text (see core.fields)."""

    __tablename__ = "attribute_value"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_attribute_value_attribute", "attribute_id", "value"),)


class Case(Base):
    """A case (an interviewee, an event, an outlet) to which documents belong."""

    __tablename__ = "study_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    guid: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (CheckConstraint("name <> ''", name="name_not_empty"),)


class CaseValue(Base):
    __tablename__ = "case_value"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("study_case.id", ondelete="CASCADE"), primary_key=True
    )
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(Text)


class CaseDocument(Base):
    __tablename__ = "case_document"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("study_case.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ItemSet(Base):
    """A named set of documents and/or codes (REFI-QDA: Set)."""

    __tablename__ = "item_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    guid: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (CheckConstraint("name <> ''", name="name_not_empty"),)


class SetDocument(Base):
    __tablename__ = "set_document"
    set_id: Mapped[int] = mapped_column(
        ForeignKey("item_set.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SetCode(Base):
    __tablename__ = "set_code"
    set_id: Mapped[int] = mapped_column(
        ForeignKey("item_set.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class JournalEntry(Base):
    """A dated entry of the project's research journal."""

    __tablename__ = "journal_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    guid: Mapped[str | None] = mapped_column(String(64))
