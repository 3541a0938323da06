"""``synth-ai db``: the versioned schema of the store, the SQLite file or PostgreSQL.

``migrate`` applies the numbered migrations not yet recorded in ``schema_migrations``; they also
run when a store first opens its database (and when ``serve`` starts), so this is for upgrading
ahead of a rollout or for checking what a database holds. ``status`` lists applied and pending
versions, and any recorded by a newer synth-ai. Which store: ``--store``, else ``--url`` means
PostgreSQL, else ``[store] backend`` (``redis`` keeps its durable rows in the SQLite file).
"""

from __future__ import annotations

import click
from synth_ai.cli.output import echo_json, format_option

_STORE = click.option(
    "--store",
    type=click.Choice(["sqlite", "postgres"]),
    default=None,
    help="Which database (default: postgres with --url or [store] backend = postgres, "
    "else the SQLite file $SYNTH_AI_HOME/synth.db).",
)
_URL = click.option("--url", default=None, help="PostgreSQL URL (default [store] postgres_url).")


class _Store:
    """One store's database, opened for ``db`` without migrating on open."""

    def __init__(self, settings, store: str | None, url: str | None):
        self.kind = store or ("postgres" if url or settings.store == "postgres" else "sqlite")
        if self.kind == "postgres":
            from synth_ai.adapters.postgres.database import Database, migration_files

            self.database = Database(
                url or settings.postgres_url, max_size=1, migrate_on_start=False
            )
        else:
            if url:
                raise click.UsageError("--url names a PostgreSQL database; drop --store sqlite")
            from synth_ai.adapters.sqlite.database import Database
            from synth_ai.adapters.sqlite.schema import migration_files

            self.database = Database(settings.sqlite_path)
            self.database.verify()  # a damaged synth.db is one line, never migrated
        self.migrations = migration_files()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.database.close()


@click.group()
def db():
    """The store's schema (SQLite or PostgreSQL): migrate, status."""


@db.command()
@_STORE
@_URL
@format_option
@click.pass_obj
def migrate(obj, store: str | None, url: str | None, fmt: str):
    """Apply pending schema migrations to the store."""
    with _Store(obj.settings, store, url) as target:
        applied = target.database.migrate()
        version = max(target.database.recorded(), default=0)
    if fmt == "json":
        echo_json({"store": target.kind, "applied": applied, "version": version})
        return
    if applied:
        click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}")
    click.echo(f"Schema is at version {version}.")


@db.command()
@_STORE
@_URL
@format_option
@click.pass_obj
def status(obj, store: str | None, url: str | None, fmt: str):
    """Show applied and pending schema migrations (and any newer than this synth-ai)."""
    from synth_ai.adapters.sql_common.migrations import status as states

    with _Store(obj.settings, store, url) as target:
        rows = list(states(target.database.recorded(), target.migrations))
    if fmt == "json":
        echo_json(
            {
                "store": target.kind,
                "migrations": [
                    {"name": name, "applied": state != "pending", "state": state}
                    for name, state in rows
                ],
            }
        )
        return
    for name, state in rows:
        note = "  (recorded by a newer synth-ai)" if state == "unknown" else ""
        click.echo(f"{state:<7}  {name}{note}")
