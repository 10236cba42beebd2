"""`python -m golinter`: the same entry point as the `golinter` console script."""
from __future__ import annotations

from golinter.cli import main

main()
