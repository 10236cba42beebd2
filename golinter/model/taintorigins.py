"""What tainted data is and how it combines: the `Origin` fact of model/taint.py, the parameter
types that are sources, and how types, arithmetic and merges change an origin's bound.

A `*http.Request` parameter (REQUEST) or a reader or connection parameter (READER_TYPES) is a
source. `step` applies the type of each expression the flow goes through (an integer type caps
the bound, the first string or integer read anchors the origin there), `arith` bounds arithmetic
from its operands' bounds, and `union` merges the origins of several definitions.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter.model.bounds import INT_MAX
from golinter.model.types import UNKNOWN, Basic, Named, Pointer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.types import Type


@dataclass(frozen=True, eq=False)
class Origin:
    """Attacker-controlled data a value derives from. `node` is the read of that data (a query
    value, a decoded field, `binary.BigEndian.Uint32(buf)`) once the flow has reached one, else
    the parameter; it serves as a related location and never leaves the worker."""

    node: Node
    source: str            # "the request", "the request body", or the reader parameter's name
    via: str = ""          # the decoder on the way: "encoding/json", "encoding/gob", ...
    integer: bool = False  # the value is an integer (then `bound` applies)
    bound: int | None = None
    read: bool = False     # `node` is the read of the data, not the parameter


REQUEST = Pointer(Named("net/http", "Request"))
READER_TYPES: frozenset[Type] = frozenset({
    Named("io", "Reader"), Named("io", "ReadCloser"), Named("io", "ByteReader"),
    Named("io", "ReadSeeker"), Pointer(Named("bufio", "Reader")), Named("net", "Conn"),
    Named("net", "PacketConn"), Pointer(Named("net", "TCPConn")), Pointer(Named("net", "UnixConn")),
    Pointer(Named("net", "UDPConn")), Pointer(Named("crypto/tls", "Conn")),
})
_DECODER_VIA = {"encoding/json": "encoding/json", "encoding/gob": "encoding/gob", "encoding/xml": "encoding/xml"}
HUGE = 1 << 32  # a bound this large lets a client pick a hint that exhausts memory


def step(pkg: Package, o: Origin, expr: Node, t: Type) -> Origin:
    """The origin of `expr` (of type t) computed from an operand's origin: the first string or
    integer read from a container anchors the origin there; integer types cap the bound."""
    u = pkg.types.underlying(t)
    name = u.name if isinstance(u, Basic) else ""
    if name in INT_MAX:
        if not o.integer:
            return replace(o, integer=True, bound=INT_MAX[name],
                           node=o.node if o.read else expr, read=True)
        bound = o.bound if o.bound is None else min(o.bound, INT_MAX[name])
        return replace(o, bound=bound)
    if name == "string" and not o.read:
        return replace(o, node=expr, read=True)
    if u is UNKNOWN and o.integer:
        return o
    return replace(o, integer=False, bound=None) if o.integer else o


def union(found: Iterable[Origin]) -> Origin | None:
    """Any tainted definition taints; the bound is the largest (None, unknown, wins)."""
    items = list(found)
    if not items:
        return None
    first = items[0]
    if any(o.bound is None for o in items):
        return replace(first, bound=None)
    return replace(first, bound=max(o.bound for o in items if o.bound is not None))


def arith(sym: str, a: int | None, b: int | None, a_tainted: bool, b_tainted: bool) -> int | None:
    """Upper bound of `a sym b` from operand upper bounds (None: unknown). An untainted operand
    that is not a constant leaves a huge tainted bound huge (`n * size`: the client still picks
    the magnitude) and makes a small one unknown."""
    if a is None or b is None:
        tainted = a if a_tainted else b
        if tainted is None or sym == "<<":
            return None
        return tainted if tainted >= HUGE or sym in ("-", ">>") else None
    if sym == "+":
        return a + b
    if sym == "-":
        return a if b_tainted else a - b
    if sym == "*":
        return a * b if a >= 0 and b >= 0 else None
    if sym == "/":
        return a if b_tainted or b <= 0 else a // b
    if sym == "<<":
        return a << b if 0 <= b <= 128 else None
    if sym == ">>":
        return a if b_tainted else a >> b
    if sym in ("|", "^"):
        return (1 << max(a.bit_length(), b.bit_length())) - 1 if a >= 0 and b >= 0 else None
    if sym in ("&", "%"):
        return min(a, b) if a >= 0 and b >= 0 else None
    return None


def decoder_via(pkg: Package, source: Node) -> str:
    t = pkg.types.deref(pkg.types.type_of(source))
    return _DECODER_VIA.get(t.pkg, "") if isinstance(t, Named) and t.name == "Decoder" else ""
