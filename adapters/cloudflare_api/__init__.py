"""Cloudflare's v4 API over httpx, for issuing managed tunnels."""

from synth_ai.adapters.cloudflare_api.client import HttpCloudflareApi, UnconfiguredCloudflareApi

__all__ = ["HttpCloudflareApi", "UnconfiguredCloudflareApi"]
