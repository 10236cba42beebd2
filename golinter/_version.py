"""The package version, kept in a plain module so start-up never needs importlib.metadata."""
from __future__ import annotations

__version__ = "0.1.0"
