"""Versioned schema migrations, one set of rules for every SQL store.

A store ships numbered files ``migrations/NNNN_name.sql`` in its package. ``migrate`` applies
the ones not yet recorded in the store's ``schema_migrations`` table in version order, each in
its own transaction together with its row there, while the store holds its migration lock
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so several processes starting at
once apply each file exactly once. A released file is never edited: a change is a new file. The
row keeps the file's SHA-256, and a database is refused, in one line, when

- it records a version this code does not know (a newer synth-ai migrated it), or
- a recorded file's checksum differs from the shipped one (someone edited a released file).

Rows written before checksums were kept (``checksum`` NULL) are taken as they are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from importlib import resources
from typing import NamedTuple, Protocol

from synth_ai.domain.errors import ServiceUnavailable

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

Recorded = Mapping[int, "str | None"]  # version -> checksum (None: recorded before checksums)


class Migration(NamedTuple):
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


class SchemaTooNew(ServiceUnavailable):
    """The database was migrated by a newer synth-ai than this one."""

    code = "schema_too_new"


class MigrationEdited(ServiceUnavailable):
    """A migration recorded as applied no longer matches the file shipped with this code."""

    code = "migration_edited"


def discover(package: str) -> list[Migration]:
    """Every ``migrations/NNNN_name.sql`` packaged with ``package``, in version order."""
    found = []
    for entry in resources.files(package).joinpath("migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort()
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations of {package} share a version: {versions}")
    return found


class Step(Protocol):
    """One transaction holding the migration lock."""

    def recorded(self) -> dict[int, str | None]: ...

    def apply(self, migration: Migration) -> None:
        """Run the migration's SQL and record its row, in this transaction."""


class Target(Protocol):
    """A database the runner migrates: the dialect-specific half."""

    where: str  # names the database in messages (a file path, a redacted URL)

    def recorded(self) -> dict[int, str | None]:
        """The recorded versions, read without the lock; empty when there is no table yet."""

    def exclusive(self) -> AbstractContextManager[Step]:
        """A transaction holding the migration lock, ``schema_migrations`` made if missing."""


def check(recorded: Recorded, migrations: Sequence[Migration], where: str) -> None:
    """Refuse a database migrated by newer code or recorded with an edited file."""
    known = {migration.version: migration for migration in migrations}
    unknown = sorted(set(recorded) - set(known))
    if unknown:
        latest = max(known, default=0)
        raise SchemaTooNew(
            f"{where} is at schema version {max(recorded)}, newer than this synth-ai knows "
            f"(up to {latest}) — a newer synth-ai migrated it: upgrade synth-ai "
            "(pip install -U synth-ai), or restore a backup made by this version"
        )
    for version, checksum in recorded.items():
        migration = known[version]
        if checksum is not None and checksum != migration.checksum:
            raise MigrationEdited(
                f"{where} applied migration {migration.label} with a different content than "
                f"the file shipped now (sha256 {checksum[:12]}… vs {migration.checksum[:12]}…) "
                "— a released migration must not be edited: restore the file, and put the "
                "change in a new migration"
            )


def migrate(target: Target, migrations: Sequence[Migration]) -> list[str]:
    """Apply the pending migrations in order; returns the labels this call applied."""
    recorded = target.recorded()
    check(recorded, migrations, target.where)
    if all(migration.version in recorded for migration in migrations):
        return []  # the usual start: one read, no lock, no write
    applied = []
    for migration in migrations:
        with target.exclusive() as step:
            done = step.recorded()
            check(done, migrations, target.where)
            if migration.version in done:
                continue  # another process applied it while we waited for the lock
            step.apply(migration)
        applied.append(migration.label)
    return applied


def status(recorded: Recorded, migrations: Sequence[Migration]) -> Iterator[tuple[str, str]]:
    """(label, ``applied`` | ``pending`` | ``unknown``) of every known and recorded version."""
    known = {migration.version for migration in migrations}
    for migration in migrations:
        yield migration.label, "applied" if migration.version in recorded else "pending"
    for version in sorted(set(recorded) - known):
        yield f"{version:04d}", "unknown"
