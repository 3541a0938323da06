"""The SQL stores' logic written once: queries and row mapping shared by SQLite and PostgreSQL.

Each store here is a base class; ``adapters/sqlite`` and ``adapters/postgres`` subclass it with
their ``Dialect`` (placeholders, locking, the connection API of their ``Database``) and keep
only what truly differs, such as their schema and how their driver's errors are reported.
"""

from synth_ai.adapters.sql.dialect import Connection, Dialect

__all__ = ["Connection", "Dialect"]
