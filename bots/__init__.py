"""Front ends: the Discord bot (and what it shares with the terminal chat)."""
