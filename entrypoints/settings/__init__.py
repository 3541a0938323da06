"""Settings: config.toml plus environment, one module per section family."""
