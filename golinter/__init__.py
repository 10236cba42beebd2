"""golinter: a static analyser for Go map patterns that bloat memory or crash under concurrency."""
from __future__ import annotations

from golinter._version import __version__

__all__ = ["__version__"]
