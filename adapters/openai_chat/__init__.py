"""httpx adapter for any OpenAI-compatible Chat Completions upstream."""

from synth_ai.adapters.openai_chat.provider import OpenAIChatProvider, UnconfiguredChatProvider

__all__ = ["OpenAIChatProvider", "UnconfiguredChatProvider"]
