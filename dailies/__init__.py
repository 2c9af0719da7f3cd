"""Dailies: a film set that lives in Discord."""
