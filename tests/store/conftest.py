"""Fixtures of the store tests: ``opener`` (a store on one fresh database of each store kind) for every file."""

from .test_contract import opener  # noqa: F401  (a fixture)
