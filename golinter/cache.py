"""The result cache's location and removal (the cache itself: see engine.py's run_packages).

Default directory: $GOLINTER_CACHE_DIR, else $XDG_CACHE_HOME/golinter, else ~/.cache/golinter.
"""
from __future__ import annotations

import os
import shutil


def default_cache_dir() -> str:
    env = os.environ.get("GOLINTER_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "golinter")


def clear_cache(path: str) -> bool:
    """Remove the cache directory; True when something was removed."""
    if not os.path.isdir(path):
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True
