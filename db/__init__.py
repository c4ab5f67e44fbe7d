"""Persistence for Tessera: SQLAlchemy models (the one source of the schema),
engine and session setup, migrations and queries. No Qt, no import of ``desktop``."""
