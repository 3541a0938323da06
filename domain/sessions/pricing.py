"""Prices: USD per million input / output / cached tokens per model, and a GPU-hour rate.

``PriceTable.cost(model, usage)`` prices real usage; ``worst_case`` prices a reservation
(every prompt token uncached, every allowed output token produced). A model is looked up by the
name the client used, then by the upstream model its alias stands for, then falls back to the
table's ``default`` price, so an unknown model is never free.
"""

from __future__ import annotations

import math
from typing import TypeVar

from attrs import Attribute, field, frozen
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.model import Usage

MILLION = 1_000_000


_Price = TypeVar("_Price", bound=float | None)


def _price(instance: object, attribute: Attribute[_Price], value: _Price) -> None:
    if value is None and attribute.name == "cached":
        return
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or math.isnan(value)
        or value < 0
    ):
        raise InvalidInput(
            f"price {attribute.name} must be a number >= 0 (USD per million tokens), got {value!r}",
            param=attribute.name,
        )


@frozen
class ModelPrice:
    input: float = field(validator=_price)  # USD per million prompt tokens
    output: float = field(validator=_price)  # USD per million completion tokens
    cached: float | None = field(default=None, validator=_price)  # per million cached prompt tokens

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.input_tokens)
        cached_rate = self.input if self.cached is None else self.cached
        return (
            (usage.input_tokens - cached) * self.input
            + cached * cached_rate
            + usage.output_tokens * self.output
        ) / MILLION


# Public list prices of the default alias targets (USD per million tokens).
DEFAULT_PRICES = {
    "gpt-4.1-mini": ModelPrice(0.40, 1.60, 0.10),
    "gpt-4.1": ModelPrice(2.00, 8.00, 0.50),
    "gpt-5": ModelPrice(1.25, 10.00, 0.125),
    # The in-process llama.cpp model ([upstream] provider = "local"): no bill, tokens still count.
    "local": ModelPrice(0.0, 0.0),
}
DEFAULT_PRICE = ModelPrice(2.00, 10.00, 0.50)  # any model not in the table
DEFAULT_GPU_HOUR_USD = 2.50


@frozen
class PriceTable:
    prices: dict[str, ModelPrice] = field(factory=lambda: dict(DEFAULT_PRICES))
    default: ModelPrice = DEFAULT_PRICE
    aliases: dict[str, str] = field(factory=dict)
    gpu_hour_usd: float = field(default=DEFAULT_GPU_HOUR_USD, validator=_price)
    gpu_rates: dict[str, float] = field(factory=dict)  # per GPU type, e.g. {"H100": 4.0}

    def price_for(self, model: str | None) -> ModelPrice:
        model = model or ""
        if model in self.prices:
            return self.prices[model]
        target = self.aliases.get(model)
        if target and target in self.prices:
            return self.prices[target]
        return self.default

    def gpu_rate(self, gpu_type: str | None = None) -> float:
        if gpu_type and gpu_type in self.gpu_rates:
            return self.gpu_rates[gpu_type]
        return self.gpu_hour_usd

    def cost(self, model: str | None, usage: Usage, *, gpu_type: str | None = None) -> float:
        tokens = self.price_for(model).cost(usage) if usage.total_tokens else 0.0
        return tokens + usage.gpu_hours * self.gpu_rate(gpu_type)

    def worst_case(self, model: str | None, prompt_tokens: int, max_output_tokens: int) -> float:
        price = self.price_for(model)
        return (prompt_tokens * price.input + max_output_tokens * price.output) / MILLION
