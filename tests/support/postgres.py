"""PostgreSQL for tests: the server scripts/test found or started, one schema per test.

Each test gets a fresh schema (``synth_test_<hex>``) and every connection it opens runs with
that ``search_path``, so parallel workers on one database never see each other's rows; the
schema is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("SYNTH_AI_TEST_POSTGRES_URL", DEFAULT_URL)


def check(url: str) -> None:
    """Raise with one line when nothing answers at ``url``."""
    import psycopg

    with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
        conn.execute("SELECT 1")


def new_schema() -> str:
    return f"synth_test_{uuid.uuid4().hex[:12]}"


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def schema_url(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (created here), for code that takes only a URL
    (settings, ``synth-ai`` in a subprocess)."""
    from urllib.parse import quote

    import psycopg

    with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"
