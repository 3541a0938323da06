"""Settings: ``$SYNTH_AI_HOME/config.toml`` (tomlkit), overridden by environment variables.

Nothing here runs at import time. ``load_settings()`` reads the file when called;
``ensure_server_key()`` is the one writer (first ``synth-ai serve`` with no key configured).
Capabilities keep their own tables (``[upstream]``, ``[session]``, ``[tunnels]`` …) and read
them with ``Settings.section(name)``, so this module does not grow with every feature.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from attrs import define, field
from synth_ai.domain.errors import InvalidInput

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# The org and user of a key configured without them. UUIDs, because the public synth-ai client
# parses org_id and user_id (from /api/v1/me and sessions) with UUID().
DEFAULT_ORG = "5c1d2a0e-3b7f-5d46-9f0a-0c5b7e8d4a01"
DEFAULT_USER = "8e6b4f2c-1a9d-5c37-b2e4-7f0d3a6c9b12"
# Client-facing model names and the upstream models they stand for ([models] overrides).
# The request field an upstream reads its output cap from ([upstream] max_tokens_field).
OUTPUT_CAP_FIELDS = ("max_completion_tokens", "max_tokens")
DEFAULT_MODEL_ALIASES = {
    "synth-small": "gpt-4.1-mini",
    "synth-medium": "gpt-4.1",
    "synth-experimental": "gpt-5",
}


@define(frozen=True)
class ApiKey:
    key: str
    org_id: str = DEFAULT_ORG
    user_id: str = DEFAULT_USER


DEFAULT_POSTGRES_URL = "postgresql://127.0.0.1:5432/synth_ai"


def synth_home(environ: dict | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("SYNTH_AI_HOME") or Path.home() / ".synth-ai").expanduser()


@define
class Settings:
    home: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    threads: int = 64
    api_keys: list[ApiKey] = field(factory=list)
    client_api_key: str | None = None
    backend_url: str | None = None
    timeout: float = 30.0
    store: str = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    postgres_url: str = DEFAULT_POSTGRES_URL
    upstream_url: str | None = None
    upstream_api_key: str | None = None
    upstream_timeout: float = 120.0
    upstream_max_tokens_field: str = "max_completion_tokens"
    model_aliases: dict[str, str] = field(factory=dict)
    document: dict = field(factory=dict)

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    @property
    def sqlite_path(self) -> Path:
        return self.home / "synth.db"

    def section(self, name: str) -> dict[str, Any]:
        """A plain-dict copy of one top-level TOML table (empty when absent)."""
        value = self.document.get(name) or {}
        return _plain(value)

    @property
    def api_key(self) -> str | None:
        """The key the CLI sends: explicit client key, else the first server key."""
        if self.client_api_key:
            return self.client_api_key
        return self.api_keys[0].key if self.api_keys else None


def _plain(value: Any) -> Any:
    if hasattr(value, "unwrap"):
        return value.unwrap()
    return value


def _read_document(path: Path) -> dict:
    if not path.exists():
        return {}
    import tomlkit

    try:
        return _plain(tomlkit.parse(path.read_text(encoding="utf-8")))
    except Exception as exc:  # tomlkit raises its own ParseError family
        line, col = getattr(exc, "line", None), getattr(exc, "col", None)
        where = f"{path}:{line}:{col}" if line is not None else str(path)
        reason = str(exc).split(" at line ")[0]
        raise InvalidInput(f"{where}: not valid TOML: {reason} — fix or delete the file") from exc


def _table(doc: dict, name: str, path: Path) -> dict:
    value = doc.get(name) or {}
    if not isinstance(value, dict):
        raise InvalidInput(
            f"{path}: {name} must be a table ([{name}]), got {type(value).__name__} {value!r}"
        )
    return value


def load_settings(environ: dict | None = None) -> Settings:
    env = os.environ if environ is None else environ
    home = synth_home(env)
    doc = _read_document(home / "config.toml")
    server = _table(doc, "server", home / "config.toml")
    client = _table(doc, "client", home / "config.toml")
    store = _table(doc, "store", home / "config.toml")
    keys = [
        ApiKey(k["key"], k.get("org_id", DEFAULT_ORG), k.get("user_id", DEFAULT_USER))
        for k in server.get("api_keys", [])
        if isinstance(k, dict) and k.get("key")
    ]
    env_key = env.get("SYNTH_API_KEY")
    if env_key and not any(k.key == env_key for k in keys):
        # A key given in the environment is accepted by a server started with it.
        keys.insert(0, ApiKey(env_key))
    from synth_ai.settings.validation import NumberSource

    config_file = home / "config.toml"
    server_numbers = NumberSource(env, server, "server", config_file)
    port = server_numbers.read(
        "port", DEFAULT_PORT, var="SYNTH_AI_PORT", integer=True, low=1, high=65535
    )
    threads = server_numbers.read("threads", 64, var="SYNTH_AI_THREADS", integer=True, low=1)
    timeout = NumberSource(env, client, "client", config_file).read(
        "timeout", 30.0, var="SYNTH_AI_TIMEOUT", low=0, low_open=True
    )
    upstream = _table(doc, "upstream", config_file)
    aliases = dict(DEFAULT_MODEL_ALIASES)
    aliases.update(
        {str(k): str(v) for k, v in (doc.get("models", {}) or {}).items() if isinstance(v, str)}
    )
    upstream_timeout = NumberSource(env, upstream, "upstream", config_file).read(
        "timeout", 120.0, var="SYNTH_AI_UPSTREAM_TIMEOUT", low=0, low_open=True
    )
    max_tokens_field = env.get("SYNTH_AI_UPSTREAM_MAX_TOKENS_FIELD") or upstream.get(
        "max_tokens_field", "max_completion_tokens"
    )
    if max_tokens_field not in OUTPUT_CAP_FIELDS:
        raise InvalidInput(
            f"[upstream] max_tokens_field must be one of {', '.join(OUTPUT_CAP_FIELDS)}, "
            f"got {max_tokens_field!r} — use max_tokens for upstreams that ignore "
            "max_completion_tokens (Ollama, llama-cpp-python, older llama.cpp)"
        )
    return Settings(
        home=home,
        upstream_max_tokens_field=max_tokens_field,
        upstream_url=env.get("SYNTH_AI_UPSTREAM_URL") or upstream.get("base_url") or None,
        upstream_api_key=env.get("SYNTH_AI_UPSTREAM_API_KEY") or upstream.get("api_key") or None,
        upstream_timeout=upstream_timeout,
        model_aliases=aliases,
        host=env.get("SYNTH_AI_HOST") or server.get("host", DEFAULT_HOST),
        port=port,
        threads=threads,
        api_keys=keys,
        client_api_key=env_key or client.get("api_key"),
        backend_url=(env.get("SYNTH_BACKEND_URL") or client.get("base_url") or None),
        timeout=timeout,
        store=(env.get("SYNTH_AI_STORE") or store.get("backend", "sqlite")).lower(),
        redis_url=env.get("SYNTH_AI_REDIS_URL")
        or store.get("redis_url", "redis://127.0.0.1:6379/0"),
        postgres_url=env.get("SYNTH_AI_POSTGRES_URL")
        or store.get("postgres_url", DEFAULT_POSTGRES_URL),
        document=doc,
    )


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically with mode 0600 (the file may hold API keys). A symlinked
    config (dotfiles) is followed: the file it points at is replaced, the link kept."""
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def new_api_key() -> str:
    return "sk-synth-" + secrets.token_urlsafe(32)


def ensure_server_key(settings: Settings) -> tuple[Settings, str | None]:
    """Generate and persist a server API key when none is configured, for the local identity
    (``DEFAULT_ORG`` / ``DEFAULT_USER``) every command uses until a key exists.

    Returns the (re-read) settings and the new key, or ``None`` when a key already existed.
    """
    if settings.api_keys:
        return settings, None
    import tomlkit

    path = settings.config_path
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    server = doc.get("server")
    if server is None:
        server = tomlkit.table()
        doc["server"] = server
    key = new_api_key()
    keys = tomlkit.aot()
    entry = tomlkit.table()
    entry["key"] = key
    # The local identity every command used before this key existed, so artifacts and sessions
    # created by the CLI before the first 'serve' stay visible through the new key.
    entry["org_id"] = DEFAULT_ORG
    entry["user_id"] = DEFAULT_USER
    keys.append(entry)
    server["api_keys"] = keys
    write_private(path, tomlkit.dumps(doc))
    env = dict(os.environ)
    env["SYNTH_AI_HOME"] = str(settings.home)
    return load_settings(env), key
