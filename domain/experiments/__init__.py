"""Experiments: batches of jobs run by queue workers with per-experiment parallelism."""
