"""Repositories: the queries the core needs, each filtered by workspace."""
