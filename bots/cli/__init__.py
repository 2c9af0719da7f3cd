"""The `dailies` command line."""
