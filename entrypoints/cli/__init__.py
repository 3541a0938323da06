"""The ``synth-ai`` command line: one Click group per capability, loaded lazily."""
