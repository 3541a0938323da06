"""The one composition root: which adapter serves which port, built lazily.

Nothing here connects or opens a file at import time; providers build objects on first use.
Tests override providers (``container.clock.override(providers.Object(FakeClock()))``).
Each capability adds its providers here, choosing adapters with ``Selector`` on settings.
"""

from __future__ import annotations

from dependency_injector import containers, providers
from synth_ai.adapters.openai_chat import OpenAIChatProvider, UnconfiguredChatProvider
from synth_ai.adapters.sqlite import Database, SqliteSessionStore
from synth_ai.adapters.system import RandomIds, SystemClock
from synth_ai.auth import ApiKeyAuthenticator
from synth_ai.config import Settings, load_settings
from synth_ai.domain.guard import SessionGuard
from synth_ai.domain.responses.service import ResponsesBridge
from synth_ai.session_settings import price_table, session_defaults


def _chat_provider(settings: Settings):
    if not settings.upstream_url:
        yield UnconfiguredChatProvider()
        return
    provider = OpenAIChatProvider(settings.upstream_url, settings.upstream_api_key,
                                  aliases=settings.model_aliases, timeout=settings.upstream_timeout)
    try:
        yield provider
    finally:
        provider.close()


def _redis_session_store(settings: Settings):
    from synth_ai.adapters.redis.sessions import RedisSessionStore

    return RedisSessionStore.from_url(settings.redis_url,
                                      prefix=str(settings.section("store").get("redis_prefix", "synth:")))


# -- Responses bridge (issue 5) -----------------------------------------------------------------
def _sqlite_response_store(db):
    from synth_ai.adapters.sqlite.responses import SqliteResponseStore

    return SqliteResponseStore(db)


def _redis_response_store(settings: Settings):
    from synth_ai.adapters.redis.response_store import DEFAULT_TTL, RedisResponseStore

    section = settings.section("responses")
    ttl = int(float(section.get("ttl_days", DEFAULT_TTL / 86400)) * 86400)
    prefix = str(settings.section("store").get("redis_prefix", "synth:"))
    return RedisResponseStore.from_url(settings.redis_url, prefix=prefix, ttl_seconds=ttl)


def _internal_stop(settings: Settings) -> bool:
    return bool(settings.section("responses").get("internal_stop", True))


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(load_settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIds)
    sqlite = providers.Singleton(Database, path=settings.provided.sqlite_path)
    authenticator = providers.Singleton(ApiKeyAuthenticator, keys=settings.provided.api_keys)
    chat_provider = providers.Resource(_chat_provider, settings=settings)

    # --- sessions and budgets (issue 4) -------------------------------------------------------
    # The store is chosen by [store] backend; the guard builds each cost-incurring request's
    # Meter (reserve the worst case, then settle the real usage).
    session_store = providers.Selector(
        settings.provided.store,
        sqlite=providers.Singleton(SqliteSessionStore, database=sqlite),
        redis=providers.Singleton(_redis_session_store, settings=settings),
    )
    prices = providers.Singleton(price_table, settings=settings)
    session_defaults = providers.Singleton(session_defaults, settings=settings)
    session_guard = providers.Singleton(SessionGuard, store=session_store, prices=prices, clock=clock, ids=ids,
                                        defaults=session_defaults)
    meter_factory = session_guard

    # -- Responses bridge (issue 5): response store per settings.store, the bridge service ----
    response_store = providers.Selector(
        settings.provided.store,
        sqlite=providers.Singleton(_sqlite_response_store, db=sqlite),
        redis=providers.Singleton(_redis_response_store, settings=settings),
    )
    responses_bridge = providers.Singleton(
        ResponsesBridge, chat=chat_provider, store=response_store, clock=clock, ids=ids,
        internal_stop=providers.Callable(_internal_stop, settings=settings),
    )


def create_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
