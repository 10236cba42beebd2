"""Mutations as data: the operations a use of a map or slice storage can be, and one use.

model/mutations.py finds the uses, model/mutationops.py classifies each; rules and other model
modules read these plain facts (re-exported by mutations.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Op(str, Enum):
    INSERT = "insert"
    DELETE = "delete"
    CLEAR = "clear"
    LEN = "len"
    LEN_BOUND = "len-bound"
    COMMA_OK = "comma-ok"
    RANGE_KEYS = "range-keys"
    APPEND = "append"
    RESLICE = "reslice"
    ZERO = "zero"
    REPLACE = "replace"
    INIT = "init"
    INC = "inc"
    ESCAPE = "escape"
    READ = "read"


# What takes entries out of a collection, or may (ESCAPE: someone else holds it).
PRUNING = frozenset({Op.DELETE, Op.CLEAR, Op.RESLICE, Op.REPLACE, Op.ESCAPE})


@dataclass(frozen=True, slots=True)
class Use:
    """One use of a storage. `func_start` identifies the enclosing top-level function (byte
    offset of its declaration in `path`); `func_name` is its name ("" outside functions)."""

    op: Op
    path: str
    line: int
    start: int
    end: int
    func_start: int
    func_name: str
    detail: str = ""
