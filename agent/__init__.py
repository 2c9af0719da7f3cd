"""The agent: ShotSpec, the director, compiling specs to renders, and the LangGraph loop."""
