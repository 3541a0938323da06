from synth_ai.adapters.local_files.weights import LocalWeightsFiles

__all__ = ["LocalWeightsFiles"]
