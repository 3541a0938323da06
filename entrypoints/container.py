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
from synth_ai.adapters.system import RandomIds, SystemClock, ThreadTicker
from synth_ai.auth import ApiKeyAuthenticator
from synth_ai.domain.chat.service import MeteredChat
from synth_ai.domain.responses.service import ResponsesBridge
from synth_ai.domain.sessions.budget import Budget
from synth_ai.domain.sessions.service import SessionService
from synth_ai.settings.config import Settings, load_settings
from synth_ai.settings.sessions import price_table, session_defaults


# -- task apps and tunnels: helpers of the providers below ------------------------
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


def _postgres_tunnel_records(db):
    from synth_ai.adapters.postgres.tunnels import PostgresTunnelRecords

    return PostgresTunnelRecords(db)


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


def _service_records(settings: Settings, processes):
    from synth_ai.adapters.records_file import SYNTH_AI_WORDS, ServicesFile

    def deployment_alive(pid: int) -> bool:
        return processes.is_alive(pid) and processes.runs(pid, *SYNTH_AI_WORDS)

    return ServicesFile(settings.home / "services.json", is_alive=deployment_alive)


def _process_inspector():
    from synth_ai.discovery import process_inspector

    return process_inspector()


def _scan_task_apps(settings: Settings, processes):
    from synth_ai.discovery import build_scan_task_apps

    return build_scan_task_apps(settings, processes)


def _local_scan_task_apps(settings: Settings, processes):
    """The scan ``GET /api/task-apps`` runs: this machine's task apps only, never asking a
    backend for its tunnels (the backend may be this very server)."""
    from attrs import evolve
    from synth_ai.discovery import build_scan_task_apps

    return build_scan_task_apps(evolve(settings, backend_url=None), processes)


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


def _upstream_provider(settings: Settings) -> str:
    from synth_ai.settings.upstream import upstream_provider

    return upstream_provider(settings)


def _local_chat_provider(settings: Settings):
    """llama.cpp in-process ([upstream] provider = "local"); loads the model on first use."""
    from synth_ai.adapters.llama_cpp import LlamaCppChatProvider
    from synth_ai.settings.upstream import LocalModelSettings

    local = LocalModelSettings.from_settings(settings)
    return LlamaCppChatProvider(
        local.model_path,
        context_size=local.context_size,
        threads=local.threads,
        prompt_format=local.prompt_format,
        default_max_tokens=local.max_tokens,
    )


def _store_backend(settings: Settings) -> str:
    from synth_ai.settings.sessions import store_backend

    return store_backend(settings)


def _durable_backend(settings: Settings) -> str:
    """Where artifacts and tunnel records live: PostgreSQL with the postgres store, else the
    SQLite file (the redis store keeps them in SQLite too)."""
    return "postgres" if _store_backend(settings) == "postgres" else "sqlite"


def _postgres_database(settings: Settings):
    """One pool per process, shared by every PostgreSQL adapter; opens on first use, migrates."""
    from synth_ai.adapters.postgres.database import Database as PostgresDatabase
    from synth_ai.settings.validation import NumberSource

    size = NumberSource({}, settings.section("store"), "store", settings.config_path).read(
        "postgres_pool_size", 16, integer=True, low=1
    )
    database = PostgresDatabase(settings.postgres_url, max_size=int(size))
    try:
        yield database
    finally:
        database.close()


def _postgres_session_store(db):
    from synth_ai.adapters.postgres.sessions import PostgresSessionStore

    return PostgresSessionStore(db)


def _postgres_artifact_catalog(db, org_id: str):
    from synth_ai.adapters.postgres.artifacts import PostgresArtifactCatalog

    return PostgresArtifactCatalog(db, org_id)


def _redis_client(settings: Settings):
    from synth_ai.adapters.redis.client import connect

    client = connect(settings.redis_url)
    try:
        yield client
    finally:
        client.close()


def _redis_prefix(settings: Settings) -> str:
    return str(settings.section("store").get("redis_prefix", "synth:"))


def _redis_session_store(client, settings: Settings):
    from synth_ai.adapters.redis.sessions import RedisSessionStore

    return RedisSessionStore(client, prefix=_redis_prefix(settings))


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


# -- Responses bridge: helpers of the providers below --------------------------------------
def _sqlite_response_store(db):
    from synth_ai.adapters.sqlite.responses import SqliteResponseStore

    return SqliteResponseStore(db)


def _postgres_response_store(db):
    from synth_ai.adapters.postgres.responses import PostgresResponseStore

    return PostgresResponseStore(db)


def _redis_response_store(client, settings: Settings):
    from synth_ai.adapters.redis.responses import DEFAULT_TTL, RedisResponseStore
    from synth_ai.settings.validation import NumberSource

    days = NumberSource({}, settings.section("responses"), "responses", settings.config_path).read(
        "ttl_days", DEFAULT_TTL / 86400, low=0, low_open=True
    )
    return RedisResponseStore(client, prefix=_redis_prefix(settings), ttl_seconds=int(days * 86400))


def _internal_stop(settings: Settings) -> bool:
    return bool(settings.section("responses").get("internal_stop", True))


# -- prompt optimisation: the interceptor's trials -------------------------------------------
def _trial_store():
    from synth_ai.adapters.in_memory import InMemoryTrialStore

    return InMemoryTrialStore()


def _redis_trial_store(client, settings: Settings):
    from synth_ai.adapters.redis.trials import RedisTrialStore

    return RedisTrialStore(client, prefix=_redis_prefix(settings))


def _postgres_trial_store(db):
    from synth_ai.adapters.postgres.trials import PostgresTrialStore

    return PostgresTrialStore(db)


def _interceptor(trials, budget, sessions, ids):
    from synth_ai.domain.optimisation.interceptor import Interceptor

    return Interceptor(
        trials, budget, ids, lambda principal, session_id: sessions.owned(principal, session_id).id
    )


def _ui_settings(settings: Settings):
    from synth_ai.settings.ui import UiSettings

    return UiSettings.from_settings(settings)


# -- experiment queue: state store, Kombu queue, job runners, the use cases -----------------
def _queue_settings(settings: Settings):
    from synth_ai.settings.queue import QueueSettings

    return QueueSettings.from_settings(settings)


def _queue_store_backend(config) -> str:
    return config.store


def _sqlite_experiment_store(db):
    from synth_ai.adapters.sqlite.experiments import SqliteExperimentStore

    return SqliteExperimentStore(db)


def _postgres_experiment_store(db):
    from synth_ai.adapters.postgres.experiments import PostgresExperimentStore

    return PostgresExperimentStore(db)


def _redis_experiment_store(client, settings: Settings):
    from synth_ai.adapters.redis.experiments import RedisExperimentStore

    return RedisExperimentStore(client, prefix=_redis_prefix(settings))


def _job_queue(config):
    from synth_ai.adapters.kombu_queue import KombuJobQueue

    queue = KombuJobQueue(config.broker_url, config.queue_name)
    try:
        yield queue
    finally:
        queue.close()


def _job_files():
    from synth_ai.adapters.system.job_files import LocalJobFiles

    return LocalJobFiles()


def _job_runners(settings: Settings) -> dict:
    """Every job kind the queue runs: ``command``, ``eval``, and the optimisers ``gepa``/``mipro``."""
    from synth_ai.adapters.job_runners import CommandRunner, EvalRunner
    from synth_ai.optimise.runners import optimisation_runners

    runners = {r.kind: r for r in (CommandRunner(), EvalRunner.from_settings(settings))}
    return {**runners, **optimisation_runners(settings)}


def _server_metrics():
    from synth_ai.adapters.prometheus import ServerMetrics

    return ServerMetrics()


def _watching_stores(metrics, sessions, experiments, config):
    """``metrics`` reading the shared stores and the broker at each scrape."""
    from synth_ai.adapters.kombu_queue.broker import queue_depth
    from synth_ai.adapters.prometheus.sources import store_probes

    metrics.watch(
        store_probes(
            sessions=sessions,
            experiments=experiments,
            queue_depth=lambda: queue_depth(config.broker_url, config.queue_name),
            queue_name=config.queue_name,
            stale_after=max(config.heartbeat_s * 5, 10.0),
        )
    )
    return metrics


def _experiments(store, queue, files, runners, clock, ids, config):
    from synth_ai.domain.experiments.service import Experiments, QueuePolicy

    policy = QueuePolicy(
        lease_seconds=config.lease_s,
        max_attempts=config.max_attempts,
        redispatch_after=config.redispatch_after_s,
    )
    return Experiments(store, queue, files, runners, clock, ids, policy)


class Container(containers.DeclarativeContainer):
    settings = providers.ThreadSafeSingleton(load_settings)

    clock = providers.ThreadSafeSingleton(SystemClock)
    ids = providers.ThreadSafeSingleton(RandomIds)
    ticker = providers.ThreadSafeSingleton(ThreadTicker)
    sqlite = providers.ThreadSafeSingleton(Database, path=settings.provided.sqlite_path)
    # [store] backend = "postgres": one pool shared by every PostgreSQL adapter (lazy, migrates)
    postgres = providers.Resource(_postgres_database, settings=settings)
    durable_backend = providers.Callable(_durable_backend, settings=settings)
    authenticator = providers.ThreadSafeSingleton(
        ApiKeyAuthenticator, keys=settings.provided.api_keys
    )
    ui_settings = providers.ThreadSafeSingleton(_ui_settings, settings=settings)

    # -- task apps and tunnels: managed tunnels (backend), cloudflared, services.json
    tunnel_settings = providers.ThreadSafeSingleton(_tunnel_settings, settings=settings)
    cloudflare_api = providers.Resource(_cloudflare_api, config=tunnel_settings)
    tunnel_records = providers.Selector(
        durable_backend,
        sqlite=providers.ThreadSafeSingleton(_tunnel_records, db=sqlite),
        postgres=providers.ThreadSafeSingleton(_postgres_tunnel_records, db=postgres),
    )
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
    process_inspector = providers.ThreadSafeSingleton(_process_inspector)
    service_records = providers.ThreadSafeSingleton(
        _service_records, settings=settings, processes=process_inspector
    )

    # -- discovery: `synth-ai scan`; adapters chosen in synth_ai/discovery.py
    scan_task_apps = providers.Factory(
        _scan_task_apps, settings=settings, processes=process_inspector
    )
    local_scan_task_apps = providers.Factory(
        _local_scan_task_apps, settings=settings, processes=process_inspector
    )

    # [upstream] provider: any OpenAI-compatible URL, or the in-process llama.cpp model
    chat_provider = providers.Selector(
        providers.Callable(_upstream_provider, settings=settings),
        openai=providers.Resource(_chat_provider, settings=settings),
        local=providers.Resource(_local_chat_provider, settings=settings),
    )

    # --- Redis: one client (one connection pool) shared by every Redis adapter -------------
    redis_client = providers.Resource(_redis_client, settings=settings)

    # --- sessions and budgets -----------------------------------------------------------------
    # The store is chosen by [store] backend; the budget builds each cost-incurring request's
    # Meter (reserve the worst case, then settle the real usage).
    session_store = providers.Selector(
        providers.Callable(_store_backend, settings=settings),  # settings.store, checked
        sqlite=providers.ThreadSafeSingleton(SqliteSessionStore, database=sqlite),
        redis=providers.ThreadSafeSingleton(
            _redis_session_store, client=redis_client, settings=settings
        ),
        postgres=providers.ThreadSafeSingleton(_postgres_session_store, db=postgres),
    )
    prices = providers.ThreadSafeSingleton(price_table, settings=settings)
    session_defaults = providers.ThreadSafeSingleton(session_defaults, settings=settings)
    sessions = providers.Factory(
        SessionService, store=session_store, clock=clock, ids=ids, defaults=session_defaults
    )
    # Counts requests, refusals and spend (the budget's SpendObserver); see `metrics` below.
    server_metrics = providers.ThreadSafeSingleton(_server_metrics)
    budget = providers.ThreadSafeSingleton(
        Budget, sessions=sessions, prices=prices, ticker=ticker, observer=server_metrics
    )
    meter_factory = budget
    chat = providers.Factory(MeteredChat, chat=chat_provider, prices=prices)

    # --- artifacts: catalog per org (call with org_id=...), and the model hub for exports ---
    artifact_catalog = providers.Selector(  # call with org_id=...
        durable_backend,
        sqlite=providers.Factory(SqliteArtifactCatalog, database=sqlite),
        postgres=providers.Factory(_postgres_artifact_catalog, db=postgres),
    )
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

    # -- Responses bridge: response store per settings.store, the bridge service --------------
    response_store = providers.Selector(
        settings.provided.store,
        sqlite=providers.ThreadSafeSingleton(_sqlite_response_store, db=sqlite),
        redis=providers.ThreadSafeSingleton(
            _redis_response_store, client=redis_client, settings=settings
        ),
        postgres=providers.ThreadSafeSingleton(_postgres_response_store, db=postgres),
    )
    responses_bridge = providers.ThreadSafeSingleton(
        ResponsesBridge,
        chat=chat_provider,
        store=response_store,
        clock=clock,
        ids=ids,
        internal_stop=providers.Callable(_internal_stop, settings=settings),
    )

    # -- prompt optimisation: the interceptor's trials (in this process with the SQLite store;
    # in Redis or PostgreSQL, shared by replicas, with those stores)
    interceptor_trials = providers.Selector(
        settings.provided.store,
        sqlite=providers.ThreadSafeSingleton(_trial_store),
        postgres=providers.ThreadSafeSingleton(_postgres_trial_store, db=postgres),
        redis=providers.ThreadSafeSingleton(
            _redis_trial_store, client=redis_client, settings=settings
        ),
    )
    interceptor = providers.Factory(
        _interceptor, trials=interceptor_trials, budget=budget, sessions=sessions, ids=ids
    )

    # -- experiment queue: job_runners holds every kind, the optimisers included ----------------
    queue_settings = providers.ThreadSafeSingleton(_queue_settings, settings=settings)
    experiment_store = providers.Selector(
        providers.Callable(_queue_store_backend, config=queue_settings),
        sqlite=providers.ThreadSafeSingleton(_sqlite_experiment_store, db=sqlite),
        redis=providers.ThreadSafeSingleton(
            _redis_experiment_store, client=redis_client, settings=settings
        ),
        postgres=providers.ThreadSafeSingleton(_postgres_experiment_store, db=postgres),
    )
    job_queue = providers.Resource(_job_queue, config=queue_settings)
    job_files = providers.ThreadSafeSingleton(_job_files)
    job_runners = providers.ThreadSafeSingleton(_job_runners, settings=settings)
    experiments = providers.Factory(
        _experiments,
        store=experiment_store,
        queue=job_queue,
        files=job_files,
        runners=job_runners,
        clock=clock,
        ids=ids,
        config=queue_settings,
    )

    # -- /metrics: server_metrics plus the stores and broker, read (lazily) at each scrape ------
    metrics = providers.ThreadSafeSingleton(
        _watching_stores,
        metrics=server_metrics,
        sessions=session_store.provider,
        experiments=experiment_store.provider,
        config=queue_settings,
    )


def create_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
