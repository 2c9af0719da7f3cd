"""Test doubles at the network edge: a scripted OpenAI-compatible server (see openai_server.py)."""
