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


def _store_backend(settings: Settings) -> str:
    from synth_ai.session_settings import store_backend

    return store_backend(settings)


def _redis_session_store(settings: Settings):
    from synth_ai.adapters.redis.sessions import RedisSessionStore

    return RedisSessionStore.from_url(settings.redis_url,
                                      prefix=str(settings.section("store").get("redis_prefix", "synth:")))


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
        providers.Callable(_store_backend, settings=settings),  # settings.store, checked
        sqlite=providers.Singleton(SqliteSessionStore, database=sqlite),
        redis=providers.Singleton(_redis_session_store, settings=settings),
    )
    prices = providers.Singleton(price_table, settings=settings)
    session_defaults = providers.Singleton(session_defaults, settings=settings)
    session_guard = providers.Singleton(SessionGuard, store=session_store, prices=prices, clock=clock, ids=ids,
                                        defaults=session_defaults)
    meter_factory = session_guard


def create_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
