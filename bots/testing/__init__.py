"""Doubles of Discord for tests, benchmarks and local trials: a fake REST server as strict as Discord."""
