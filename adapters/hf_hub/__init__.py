"""The model hub on huggingface_hub (HfApi); endpoint configurable (HF_ENDPOINT)."""

from synth_ai.adapters.hf_hub.hub import HfModelHub

__all__ = ["HfModelHub"]
