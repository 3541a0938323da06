"""The one composition root: which adapter serves which port, built lazily.

Nothing here connects or opens a file at import time; providers build objects on first use.
Waitress serves requests from many threads, so shared objects are ``ThreadSafeSingleton``s
(a plain ``Singleton`` can be built twice by two racing first requests), and ``build_app``
initialises the ``Resource``s before the first request thread exists.
Tests override providers (``container.clock.override(providers.Object(FakeClock()))``).
Each capability adds its providers here, choosing adapters with ``Selector`` on settings.
"""

from __future__ import annotations

from dependency_injector import containers, providers
from synth_ai.adapters.hf_hub import HfModelHub
from synth_ai.adapters.openai_chat import OpenAIChatProvider, UnconfiguredChatProvider
from synth_ai.adapters.sqlite import Database, SqliteSessionStore
from synth_ai.adapters.sqlite.artifacts import SqliteArtifactCatalog
from synth_ai.adapters.system import RandomIds, SystemClock
from synth_ai.auth import ApiKeyAuthenticator
from synth_ai.domain.responses.service import ResponsesBridge
from synth_ai.domain.sessions.budget import SessionGuard
from synth_ai.settings.config import Settings, load_settings
from synth_ai.settings.sessions import price_table, session_defaults


# -- task apps and tunnels (issue 3): helpers of the providers below ------------------------
def _tunnel_settings(settings: Settings):
    from synth_ai.settings.tunnels import TunnelSettings

    return TunnelSettings.from_settings(settings)


def _cloudflare_api(config):
    from synth_ai.adapters.cloudflare_api import HttpCloudflareApi, UnconfiguredCloudflareApi

    if not config.cloudflare_configured:
        yield UnconfiguredCloudflareApi()
        return
    api = HttpCloudflareApi(
        account_id=config.cloudflare_account_id,
        api_token=config.cloudflare_api_token,
        zone_id=config.cloudflare_zone_id,
        base_url=config.cloudflare_api_url,
    )
    try:
        yield api
    finally:
        api.close()


def _tunnel_records(db):
    from synth_ai.adapters.sqlite.tunnels import SqliteTunnelRecords

    return SqliteTunnelRecords(db)


def _managed_tunnels(api, records, clock, ids, config):
    from synth_ai.domain.tunnels.service import ManagedTunnelService

    return ManagedTunnelService(api, records, clock, ids, config.domain)


def _tunnel_provider(settings: Settings, config):
    from synth_ai.adapters.backend_http import BackendClient
    from synth_ai.adapters.backend_http.tunnels import BackendTunnelIssuer
    from synth_ai.adapters.cloudflared import CloudflaredTunnels

    client = BackendClient(
        settings.backend_url or f"http://{settings.host}:{settings.port}",
        settings.api_key,
        timeout=settings.timeout,
    )
    return CloudflaredTunnels(
        home=settings.home,
        binary=config.cloudflared_path,
        overrides=config.resolve,
        issuer=BackendTunnelIssuer(client),
        url_timeout=config.url_timeout,
        health_timeout=config.health_timeout,
    )


def _service_records(settings: Settings):
    from synth_ai.adapters.records_file import ServicesFile, deployment_alive

    return ServicesFile(settings.home / "services.json", is_alive=deployment_alive)


def _chat_provider(settings: Settings):
    if not settings.upstream_url:
        yield UnconfiguredChatProvider()
        return
    provider = OpenAIChatProvider(
        settings.upstream_url,
        settings.upstream_api_key,
        aliases=settings.model_aliases,
        timeout=settings.upstream_timeout,
        max_tokens_field=settings.upstream_max_tokens_field,
    )
    try:
        yield provider
    finally:
        provider.close()


def _store_backend(settings: Settings) -> str:
    from synth_ai.settings.sessions import store_backend

    return store_backend(settings)


def _redis_session_store(settings: Settings):
    from synth_ai.adapters.redis.sessions import RedisSessionStore

    return RedisSessionStore.from_url(
        settings.redis_url, prefix=str(settings.section("store").get("redis_prefix", "synth:"))
    )


def _model_hub(settings: Settings) -> HfModelHub:
    """[hub] endpoint/token in config.toml; HF_ENDPOINT and HF_TOKEN override them."""
    import os

    hub = settings.section("hub")
    return HfModelHub(
        endpoint=os.environ.get("HF_ENDPOINT") or hub.get("endpoint"),
        token=os.environ.get("HF_TOKEN") or hub.get("token"),
    )


def _export_roots(settings: Settings) -> tuple[str, ...]:
    """``[artifacts] export_roots``; with none configured, only ``$SYNTH_AI_HOME/models``."""
    roots = settings.section("artifacts").get("export_roots")
    if roots is None:
        return (str(settings.home / "models"),)
    return tuple(str(r) for r in roots)


def _protected_paths(settings: Settings) -> tuple[str, ...]:
    """What no export may ever include: the home itself, its config (keys) and database."""
    return tuple(
        str(p.expanduser().resolve())
        for p in (settings.home, settings.config_path, settings.sqlite_path)
    )


def _artifact_service(org_id: str, catalogs, clock, ids, hub, weights, settings: Settings):
    """The artifact use cases over the catalog of ``org_id``."""
    from synth_ai.domain.artifacts.service import ArtifactService

    return ArtifactService(
        catalogs(org_id=org_id),
        clock=clock,
        ids=ids,
        hub=hub,
        weights=weights,
        export_roots=_export_roots(settings),
        protected=_protected_paths(settings),
    )


def _weights_files():
    from synth_ai.adapters.local_files import LocalWeightsFiles

    return LocalWeightsFiles()


def _health_checks(settings: Settings, db) -> list:
    """What ``/health`` checks: the SQLite file (artifacts and tunnels live there whatever
    the session store), and Redis when it is the store."""
    from synth_ai.adapters.sqlite.health import SqliteHealth

    checks = [SqliteHealth(db)]
    if _store_backend(settings) == "redis":
        from synth_ai.adapters.redis.health import RedisHealth

        checks.append(RedisHealth(settings.redis_url))
    return checks


# -- Responses bridge (issue 5) -----------------------------------------------------------------
def _sqlite_response_store(db):
    from synth_ai.adapters.sqlite.responses import SqliteResponseStore

    return SqliteResponseStore(db)


def _redis_response_store(settings: Settings):
    from synth_ai.adapters.redis.responses import DEFAULT_TTL, RedisResponseStore

    section = settings.section("responses")
    ttl = int(float(section.get("ttl_days", DEFAULT_TTL / 86400)) * 86400)
    prefix = str(settings.section("store").get("redis_prefix", "synth:"))
    return RedisResponseStore.from_url(settings.redis_url, prefix=prefix, ttl_seconds=ttl)


def _internal_stop(settings: Settings) -> bool:
    return bool(settings.section("responses").get("internal_stop", True))


class Container(containers.DeclarativeContainer):
    settings = providers.ThreadSafeSingleton(load_settings)

    clock = providers.ThreadSafeSingleton(SystemClock)
    ids = providers.ThreadSafeSingleton(RandomIds)
    sqlite = providers.ThreadSafeSingleton(Database, path=settings.provided.sqlite_path)
    authenticator = providers.ThreadSafeSingleton(
        ApiKeyAuthenticator, keys=settings.provided.api_keys
    )

    # -- task apps and tunnels (issue 3): managed tunnels (backend), cloudflared, services.json
    tunnel_settings = providers.ThreadSafeSingleton(_tunnel_settings, settings=settings)
    cloudflare_api = providers.Resource(_cloudflare_api, config=tunnel_settings)
    tunnel_records = providers.ThreadSafeSingleton(_tunnel_records, db=sqlite)
    managed_tunnels = providers.Factory(
        _managed_tunnels,
        api=cloudflare_api,
        records=tunnel_records,
        clock=clock,
        ids=ids,
        config=tunnel_settings,
    )
    tunnel_provider = providers.ThreadSafeSingleton(
        _tunnel_provider, settings=settings, config=tunnel_settings
    )
    service_records = providers.ThreadSafeSingleton(_service_records, settings=settings)

    chat_provider = providers.Resource(_chat_provider, settings=settings)

    # --- sessions and budgets (issue 4) -------------------------------------------------------
    # The store is chosen by [store] backend; the guard builds each cost-incurring request's
    # Meter (reserve the worst case, then settle the real usage).
    session_store = providers.Selector(
        providers.Callable(_store_backend, settings=settings),  # settings.store, checked
        sqlite=providers.ThreadSafeSingleton(SqliteSessionStore, database=sqlite),
        redis=providers.ThreadSafeSingleton(_redis_session_store, settings=settings),
    )
    prices = providers.ThreadSafeSingleton(price_table, settings=settings)
    session_defaults = providers.ThreadSafeSingleton(session_defaults, settings=settings)
    session_guard = providers.ThreadSafeSingleton(
        SessionGuard,
        store=session_store,
        prices=prices,
        clock=clock,
        ids=ids,
        defaults=session_defaults,
    )
    meter_factory = session_guard

    # --- artifacts: catalog per org (call with org_id=...), and the model hub for exports ---
    artifact_catalog = providers.Factory(SqliteArtifactCatalog, database=sqlite)
    model_hub = providers.ThreadSafeSingleton(_model_hub, settings=settings)
    weights_files = providers.ThreadSafeSingleton(_weights_files)
    health_checks = providers.ThreadSafeSingleton(_health_checks, settings=settings, db=sqlite)
    artifact_service = providers.Factory(  # call with org_id=...
        _artifact_service,
        catalogs=artifact_catalog.provider,
        clock=clock,
        ids=ids,
        hub=model_hub,
        weights=weights_files,
        settings=settings,
    )

    # -- Responses bridge (issue 5): response store per settings.store, the bridge service ----
    response_store = providers.Selector(
        settings.provided.store,
        sqlite=providers.ThreadSafeSingleton(_sqlite_response_store, db=sqlite),
        redis=providers.ThreadSafeSingleton(_redis_response_store, settings=settings),
    )
    responses_bridge = providers.ThreadSafeSingleton(
        ResponsesBridge,
        chat=chat_provider,
        store=response_store,
        clock=clock,
        ids=ids,
        internal_stop=providers.Callable(_internal_stop, settings=settings),
    )


def create_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
