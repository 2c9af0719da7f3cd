"""Doubles and footage for tests and benchmarks: a scripted OpenAI-compatible server, synthetic clips."""
