"""The ``[session]`` and ``[pricing]`` tables of config.toml, read into domain objects.

```toml
[session]
limit_cost_usd = 20.0        # hard limit of every automatically created session
limit_tokens = 2000000       # optional
limit_gpu_hours = 10.0       # optional
limit_api_calls = 5000       # optional
limit_kind = "hard"          # or "soft": warn instead of refusing
max_output_tokens = 4096     # reserved when a request gives no max_tokens
reservation_ttl_seconds = 21600  # an unsettled reservation this old (crashed request) is released

[pricing]
gpu_hour_usd = 2.5
default = { input = 2.0, output = 10.0, cached = 0.5 }   # any model not listed
[pricing.models]
"gpt-4.1-mini" = { input = 0.40, output = 1.60, cached = 0.10 }
[pricing.gpu]
H100 = 4.0
```

Environment: ``SYNTH_AI_SESSION_LIMIT_COST_USD``, ``SYNTH_AI_SESSION_LIMIT_TOKENS``,
``SYNTH_AI_SESSION_LIMIT_GPU_HOURS``, ``SYNTH_AI_SESSION_LIMIT_API_CALLS`` override the table.
"""

from __future__ import annotations

import math
import os

from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.model import KINDS, Limit, SessionDefaults
from synth_ai.domain.sessions.pricing import (
    DEFAULT_GPU_HOUR_USD,
    DEFAULT_PRICE,
    DEFAULT_PRICES,
    ModelPrice,
    PriceTable,
)
from synth_ai.settings.config import Settings
from synth_ai.settings.validation import NumberSource

DEFAULT_LIMIT_COST_USD = 20.0
LIMIT_KEYS = {
    "limit_cost_usd": "cost_usd",
    "limit_tokens": "tokens",
    "limit_gpu_hours": "gpu_hours",
    "limit_api_calls": "api_calls",
}
KNOWN_SESSION_KEYS = {
    *LIMIT_KEYS,
    "limit_kind",
    "max_output_tokens",
    "min_output_tokens",
    "lease_seconds",
    "reservation_ttl_seconds",
}


STORES = ("sqlite", "redis", "postgres")


def store_backend(settings: Settings) -> str:
    """``[store] backend`` (``SYNTH_AI_STORE``), refused clearly when it names no adapter."""
    if settings.store not in STORES:
        raise InvalidInput(
            f"unknown [store] backend {settings.store!r} — use 'sqlite' (one machine), "
            "'postgres' (several replicas, durable) or 'redis' (several replicas, fast), "
            "in config.toml or SYNTH_AI_STORE"
        )
    return settings.store


def _number(where: str, value, *, integer: bool = False, allow_none: bool = False):
    if value is None or value == "":
        if allow_none:
            return None
        raise InvalidInput(f"{where} is missing — give a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{where} must be a number, got {value!r} — fix config.toml or the environment"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"{where} must be a finite number >= 0, got {value!r}")
    return int(number) if integer else number


def session_defaults(settings: Settings, environ: dict | None = None) -> SessionDefaults:
    env = os.environ if environ is None else environ
    table = settings.section("session")
    unknown = set(table) - KNOWN_SESSION_KEYS
    if unknown:
        raise InvalidInput(
            f"unknown key(s) in [session]: {', '.join(sorted(unknown))} — "
            f"known: {', '.join(sorted(KNOWN_SESSION_KEYS))}"
        )
    kind = str(table.get("limit_kind", "hard"))
    if kind not in KINDS:
        raise InvalidInput(f"[session] limit_kind must be 'hard' or 'soft', got {kind!r}")
    limits = []
    numbers = NumberSource(env, table, "session", settings.config_path)
    for key, metric in LIMIT_KEYS.items():
        value = numbers.read(
            key,
            DEFAULT_LIMIT_COST_USD if key == "limit_cost_usd" else None,
            var=f"SYNTH_AI_SESSION_{key.upper()}",
            integer=metric in ("tokens", "api_calls"),
            low=0,
        )
        if value is not None:
            limits.append(Limit(metric, value, kind))
    max_out = _number(
        "[session] max_output_tokens", table.get("max_output_tokens", 4096), integer=True
    )
    if max_out < 1:
        raise InvalidInput("[session] max_output_tokens must be >= 1")
    ttl = _number(
        "[session] reservation_ttl_seconds", table.get("reservation_ttl_seconds", 6 * 3600)
    )
    if ttl <= 0:
        raise InvalidInput("[session] reservation_ttl_seconds must be > 0")
    min_out = _number(
        "[session] min_output_tokens", table.get("min_output_tokens", 16), integer=True
    )
    if not 1 <= min_out <= max_out:
        raise InvalidInput(
            f"[session] min_output_tokens must be between 1 and max_output_tokens ({max_out}), "
            f"got {min_out}"
        )
    lease = _number(
        "[session] lease_seconds",
        env.get("SYNTH_AI_SESSION_LEASE_SECONDS", table.get("lease_seconds", 60)),
    )
    if lease <= 0:
        raise InvalidInput("[session] lease_seconds must be > 0")
    return SessionDefaults(
        limits=tuple(limits),
        max_output_tokens=max_out,
        min_output_tokens=min_out,
        lease_seconds=lease,
        reservation_ttl_seconds=ttl,
    )


def _model_price(where: str, raw) -> ModelPrice:
    if not isinstance(raw, dict) or "input" not in raw or "output" not in raw:
        raise InvalidInput(
            f"{where} must be a table like {{ input = 0.4, output = 1.6, cached = 0.1 }} "
            f"(USD per million tokens), got {raw!r}"
        )
    unknown = set(raw) - {"input", "output", "cached"}
    if unknown:
        raise InvalidInput(
            f"unknown key(s) in {where}: {', '.join(sorted(unknown))} — use input, output, cached"
        )
    cached = raw.get("cached")
    return ModelPrice(
        _number(f"{where}.input", raw["input"]),
        _number(f"{where}.output", raw["output"]),
        None if cached is None else _number(f"{where}.cached", cached),
    )


def price_table(settings: Settings) -> PriceTable:
    table = settings.section("pricing")
    prices = dict(DEFAULT_PRICES)
    for model, raw in (table.get("models") or {}).items():
        prices[str(model)] = _model_price(f"[pricing.models.{model}]", raw)
    default = (
        _model_price("[pricing] default", table["default"]) if "default" in table else DEFAULT_PRICE
    )
    gpu_rates = {
        str(k): _number(f"[pricing.gpu] {k}", v) for k, v in (table.get("gpu") or {}).items()
    }
    gpu_hour = _number("[pricing] gpu_hour_usd", table.get("gpu_hour_usd", DEFAULT_GPU_HOUR_USD))
    return PriceTable(
        prices=prices,
        default=default,
        aliases=dict(settings.model_aliases),
        gpu_hour_usd=gpu_hour,
        gpu_rates=gpu_rates,
    )
