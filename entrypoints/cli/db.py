"""``synth-ai db``: the schema of the PostgreSQL store (``[store] backend = "postgres"``).

``migrate`` applies the numbered migrations not yet recorded in ``schema_migrations``; they also
run when a store first opens the database, so this is for upgrading ahead of a rollout or for
checking what a database holds. ``status`` lists applied and pending versions.
"""

from __future__ import annotations

import click
from synth_ai.cli.output import echo_json, format_option


def _database(settings, url: str | None):
    from synth_ai.adapters.postgres.database import Database

    return Database(url or settings.postgres_url, max_size=1, migrate_on_start=False)


@click.group()
def db():
    """The PostgreSQL store's schema: migrate, status."""


@db.command()
@click.option("--url", default=None, help="PostgreSQL URL (default [store] postgres_url).")
@format_option
@click.pass_obj
def migrate(obj, url: str | None, fmt: str):
    """Apply pending schema migrations to the PostgreSQL store."""
    database = _database(obj.settings, url)
    try:
        applied = database.migrate()
        current = database.applied()
    finally:
        database.close()
    if fmt == "json":
        echo_json({"applied": applied, "version": max(current, default=0)})
        return
    if applied:
        click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}")
    click.echo(f"Schema is at version {max(current, default=0)}.")


@db.command()
@click.option("--url", default=None, help="PostgreSQL URL (default [store] postgres_url).")
@format_option
@click.pass_obj
def status(obj, url: str | None, fmt: str):
    """Show applied and pending schema migrations."""
    from synth_ai.adapters.postgres.database import migration_files

    database = _database(obj.settings, url)
    try:
        done = set(database.applied())
    finally:
        database.close()
    files = [(f"{version:04d}_{name}", version in done) for version, name, _ in migration_files()]
    if fmt == "json":
        echo_json({"migrations": [{"name": n, "applied": a} for n, a in files]})
        return
    for name, applied in files:
        click.echo(f"{'applied' if applied else 'pending'}  {name}")
