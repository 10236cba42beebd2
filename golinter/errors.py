"""Typed, expected failures. cli.py turns each into one stderr line and exit status 2.

Messages say what went wrong, where, and how to fix it.
"""
from __future__ import annotations


class GolinterError(Exception):
    """Base of every expected failure; never shown with a traceback."""


class ConfigError(GolinterError):
    """A bad .golinter.toml or a bad option value."""


class UsageError(GolinterError):
    """A command line that cannot be carried out (unknown rule code, bad path)."""


class InputError(GolinterError):
    """An input or output path that cannot be read or written."""
