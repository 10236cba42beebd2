"""Methods called only while their value is being built: every call of the method in the package
is on a value its caller has just made and not yet let go of.

```go
func FromConfig(cs ...*Config) *Policies {
	p := New()             // or &Policies{...}, Policies{...}, new(Policies)
	for _, c := range cs {
		p.DecodeConfig(c)  // p is still FromConfig's alone: not returned, stored, passed or captured
	}
	return p
}
```
Such a method belongs to the value's construction, like an unexported setter: GML003 does not take
it for an entry point that runs beside the type's other methods (model/concurrency.py). A value is
the caller's alone up to a call when:
- the receiver is a variable declared in the function making the call (a call in a func literal
  may run later, anywhere), bound once to `&T{...}`, `T{...}`, `new(T)`, a value taken from a
  sync.Pool (`c := s.pool.Get().(*Ctx)`: the pool gives each value to one owner at a time, so a
  web framework's per-request context being reset is not yet shared), or a call of a
  same-package function each of whose `return` statements gives such a literal itself (a
  constructor that cannot have started or stored the value before returning it);
- every other use of the variable from its declaration to the call, and anywhere in a loop
  around the call that does not declare it, selects a field of T (`p.f = v`, `p.mu.Lock()`),
  calls the method itself, or calls a method of T whose own receiver is only used to select
  fields (`p.addBuiltInPolicies()` filling `r.retries`); none is in a func literal. Any other
  method call, a method value (`register(p.Handle)`), an argument, a copy, a send or a `go` may
  share it, so the method is then an entry point as before. A `defer` statement's uses run
  when the function returns, after the call (`defer s.pool.Put(c)`): they share nothing before it.
Calls in `_test.go` files say nothing of how the program uses the method (tests build their own
values, and may reset a shared one between cases): they are not looked at, and one call outside
them is needed. A method with no such call, or one call on anything else, stays an entry point.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.lifetimes import is_fresh_value
from golinter.model.package import enclosing_function
from golinter.model.scopes import ObjKind, receiver_name
from golinter.model.spawnplaces import in_literal, inside_kind
from golinter.model.typelite import unparen
from golinter.model.types import Named, Struct

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj


def setup_only(pkg: Package, type_name: str, method: str, calls: Sequence[Node]) -> bool:
    """Every call in `calls` (those of the package named `method`) outside `_test.go` files, and
    at least one, is `p.method(...)` on a value of `type_name` its caller made and still holds
    alone (module docstring)."""
    u = pkg.types.underlying(Named("", type_name))
    if not calls or not isinstance(u, Struct):
        return False
    if not any(_fresh_receiver(pkg, call) is not None for call in calls):
        return False  # no call on a variable made in place: spares typing every receiver
    fields = frozenset(f.name for f in u.fields)
    own = [call for call in calls if not _other_type(pkg, call, type_name)]
    production = [call for call in own if not pkg.file_of(call).is_test]
    return bool(production) and all(_on_unshared_value(pkg, call, type_name, method, fields) for call in production)


def _fresh_receiver(pkg: Package, call: Node) -> tuple[Node, Obj] | None:
    """(the receiver identifier, its variable) of `p.M(...)` when `p` is a local variable bound to
    a value made in place (`_made_here`)."""
    recv = _receiver(call)
    if recv is None or recv.type != kinds.IDENTIFIER:
        return None
    # A local is bound in its top-level declaration before the call (`p := New()`, `p, err := ...`,
    # `var p *T = ...`): without such text there, no resolution (most receivers are parameters).
    f = pkg.file_of(call)
    top = f.tree.root_node.child_with_descendant(call)
    if top is not None and f.src.find(b"var", top.start_byte, call.start_byte) < 0 \
            and not occurrences.may_assign(f.src, f.src[recv.start_byte:recv.end_byte], top.start_byte, call.start_byte):
        return None
    obj = pkg.scopes.resolve(recv)
    if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None \
            or obj.value is None or obj.value_index != 0 or not _made_here(pkg, obj.value):
        return None
    return recv, obj


def _receiver(call: Node) -> Node | None:
    """`p` of `p.M(...)`, parentheses dropped."""
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    operand = fn.child_by_field_name(kinds.F_OPERAND) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION \
        else None
    return unparen(operand) if operand is not None else None


def _other_type(pkg: Package, call: Node, type_name: str) -> bool:
    """The call is on a value of another known type: a method of the same name, not this one."""
    recv = _receiver(call)
    t = pkg.types.deref(pkg.types.type_of(recv)) if recv is not None else None
    return isinstance(t, Named) and (bool(t.pkg) or t.name != type_name)


def _on_unshared_value(pkg: Package, call: Node, type_name: str, method: str, fields: frozenset[str]) -> bool:
    found = _fresh_receiver(pkg, call)
    if found is None:
        return False
    recv, obj = found
    own = pkg.types.deref(pkg.types.type_of(recv))
    if not isinstance(own, Named) or own.pkg or own.name != type_name or obj.ident is None:
        return False  # a value of unknown type
    func = enclosing_function(call)
    if func is None or func != enclosing_function(obj.ident):
        return False
    start, end = obj.ident.start_byte, call.end_byte
    loop = _outer_loop(call, func, obj.ident)
    if loop is not None:
        start, end = min(start, loop.start_byte), max(end, loop.end_byte)
    for token in occurrences.name_tokens(pkg.file_of(call), (obj.name,)):
        if not start <= token.start_byte < end or token == recv or token == obj.ident \
                or pkg.scopes.resolve(token) != obj:
            continue
        deferred = inside_kind(token, func, kinds.DEFER_STATEMENT)  # `defer pool.Put(c)`: runs after the call
        if not deferred and not _field_use(pkg, token, func, type_name, method, fields):
            return False
    return True


def _made_here(pkg: Package, value: Node) -> bool:
    """`&T{...}`, `T{...}`, `new(T)`, a value taken from a sync.Pool (`p.Get().(*T)`: the pool
    gives each value to one owner at a time), or a call of a same-package function returning only
    those literals."""
    if is_fresh_value(pkg, value) or _from_pool(pkg, value):
        return True
    value = unparen(value)
    if value.type != kinds.CALL_EXPRESSION:
        return False
    callee = pkg.types.callee_decl(value)
    if callee is None or callee.type != kinds.FUNCTION_DECLARATION:
        return False
    memo = pkg.fact(_Memo).returns_literals
    found = memo.get(callee.id)
    if found is None:
        found = memo[callee.id] = _returns_literals(pkg, callee)
    return found


def _from_pool(pkg: Package, value: Node) -> bool:
    """`p.Get().(*T)` with p a sync.Pool."""
    v = unparen(value)
    if v.type != kinds.TYPE_ASSERTION_EXPRESSION:
        return False
    call = v.child_by_field_name(kinds.F_OPERAND)
    call = unparen(call) if call is not None else None
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None and call.type == kinds.CALL_EXPRESSION else None
    if fn is None or fn.type != kinds.SELECTOR_EXPRESSION or pkg.text(fn.child_by_field_name(kinds.F_FIELD) or fn) != "Get":
        return False
    pool = fn.child_by_field_name(kinds.F_OPERAND)
    return pool is not None and pkg.types.deref(pkg.types.type_of(pool)) == Named("sync", "Pool")


class _Memo:
    """Per package: function declaration id -> whether each of its `return`s gives a literal;
    (type, method) -> whether the method only selects fields of its receiver."""

    def __init__(self, _pkg: Package) -> None:
        self.returns_literals: dict[int, bool] = {}
        self.keeps_receiver: dict[tuple[str, str], bool] = {}


def _returns_literals(pkg: Package, func: Node) -> bool:
    body = func.child_by_field_name(kinds.F_BODY)
    if body is None:
        return False
    from golinter.parse import walk_named
    returns = [n for n in walk_named(body, skip=frozenset({kinds.FUNC_LITERAL})) if n.type == kinds.RETURN_STATEMENT]
    for ret in returns:
        values = next((c for c in ret.named_children if c.type == kinds.EXPRESSION_LIST), None)
        first = values.named_children[0] if values is not None and values.named_children else None
        if first is None or not is_fresh_value(pkg, first):
            return False
    return bool(returns)


def _outer_loop(call: Node, func: Node, decl: Node) -> Node | None:
    """The outermost loop around the call, inside `func`, that does not hold the declaration (a
    later pass runs the call again after whatever follows it in the loop)."""
    outer = None
    cur = call.parent
    while cur is not None and cur != func:
        if cur.type == kinds.FOR_STATEMENT and not cur.start_byte <= decl.start_byte < cur.end_byte:
            outer = cur
        cur = cur.parent
    return outer


def _field_use(pkg: Package, token: Node, func: Node, type_name: str, method: str, fields: frozenset[str]) -> bool:
    """`token` (the variable) selects a field (`p.f`), or calls `method` or a method of the type
    that only selects fields of its receiver (`p.addDefaults()`), outside func literals."""
    name = _selected(token)
    if name is None or in_literal(token, func):
        return False
    field = pkg.text(name)
    if field in fields:
        return True
    sel = token.parent
    holder = sel.parent if sel is not None else None
    if holder is None or holder.type != kinds.CALL_EXPRESSION or holder.child_by_field_name(kinds.F_FUNCTION) != sel:
        return False  # a method value: `register(p.Handle)` keeps p
    if field == method:
        return True
    memo = pkg.fact(_Memo).keeps_receiver
    found = memo.get((type_name, field))
    if found is None:
        found = memo[(type_name, field)] = _keeps_receiver(pkg, type_name, field, fields)
    return found


def _selected(token: Node) -> Node | None:
    """The field or method name `token` selects (`token.name`), else None."""
    sel = token.parent
    if sel is None or sel.type != kinds.SELECTOR_EXPRESSION or sel.child_by_field_name(kinds.F_OPERAND) != token:
        return None
    return sel.child_by_field_name(kinds.F_FIELD)


def _keeps_receiver(pkg: Package, type_name: str, method: str, fields: frozenset[str]) -> bool:
    """The method of `type_name` uses its receiver only to select fields, outside func literals:
    calling it cannot let the value go (`func (r *R) addDefaults() { r.retries[k] = ... }`)."""
    decl = pkg.scopes.method_decl(type_name, method)
    body = decl.child_by_field_name(kinds.F_BODY) if decl is not None else None
    if decl is None or body is None:
        return False
    f = pkg.file_of(decl)
    recv = receiver_name(f, decl)
    if recv is None or recv == "_":
        return True
    for token in occurrences.name_tokens(f, (recv,)):
        if not body.start_byte <= token.start_byte < body.end_byte:
            continue
        obj = pkg.scopes.resolve(token)
        if obj is None or obj.ident is None or not decl.start_byte <= obj.ident.start_byte < body.start_byte:
            continue  # a shadowing variable, not the receiver
        name = _selected(token)
        if name is None or pkg.text(name) not in fields or in_literal(token, body):
            return False
    return True
