"""Data for tests and benchmarks of the agent: creator phrasings with the readings they must give."""
