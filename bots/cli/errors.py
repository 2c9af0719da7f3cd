"""UserError: bad input that the CLI reports as one line with exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Input the user can fix; shown as one line on stderr, exit code 2."""
