"""Structured answers from any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, ...)."""
