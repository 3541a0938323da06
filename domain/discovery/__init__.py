"""Discovery of running task apps (``synth-ai scan``): candidates from every source, one
record per URL, health classification, the key-sending rule, and the scan use case."""
