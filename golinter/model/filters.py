"""In-place filters: `for _, x := range s { if keep(x) { s[n] = x; n++ } }; s = s[:n]`.

- `filled_at(operand, n)`: the filter's assignment `s[n] = x` before `s = s[:n]`;
- `keeps_every(assign, operand, n)`: a "filter" that keeps every element, so nothing is dropped:
  `s[n] = x` and `n++` are statements of the body of a `range` over s, and nothing in that body
  skips them (no `continue`, `break`, `goto` or `return`; a panic leaves the function, and the
  reslice with it) (gopls's postfix templates, parsed in place);
- `drops_only_nils(operand, n)`: a filter whose dropped elements are all nil, so what it leaves
  behind holds nothing:

```go
var o int
for _, f := range parsed {
	if f != nil {
		parsed[o] = f
		o++
	}
}
parsed = parsed[:o]
```
Every element the filter drops is nil, and the slots past the new length hold nils or second
copies of elements still in the slice: zeroing them frees nothing (golang.org/x/tools's loaders).
That holds when the one assignment `s[n] = x` of the filter (`filled_at`) sits directly in
the body of an `if x != nil` (or `nil != x`) without an `else`, and `x` is the value variable of a
`range` over the same slice. Any other condition, a value from another slice or an index
(`s[i]`), is not this filter.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.occurrences import has_any_word
from golinter.model.package import enclosing_function
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


def filled_at(pkg: Package, operand: Node, n: Node) -> Node | None:
    """An in-place filter before `s = s[:n]`: the function's assignment `s[n] = x`, else None."""
    from golinter.parse import walk_named
    func = enclosing_function(operand)
    body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
    if body is None:
        return None
    for node in walk_named(body):
        if node.start_byte >= operand.start_byte:
            break
        if node.type == kinds.INDEX_EXPRESSION and node.parent is not None \
                and node.parent.type == kinds.EXPRESSION_LIST and node.parent.parent is not None \
                and node.parent.parent.type == kinds.ASSIGNMENT_STATEMENT:
            index = node.child_by_field_name(kinds.F_INDEX)
            target = node.child_by_field_name(kinds.F_OPERAND)
            if index is not None and target is not None and index.type == kinds.IDENTIFIER \
                    and pkg.scopes.same_object(index, n) and pkg.storage.same(target, operand):
                return node.parent.parent
    return None


def keeps_every(pkg: Package, assign: Node, operand: Node, n: Node) -> bool:
    """The filter keeps every element of s: see the module docstring."""
    lst = assign.parent
    body = lst.parent if lst is not None and lst.type == kinds.STATEMENT_LIST else None
    loop = body.parent if body is not None and body.type == kinds.BLOCK else None
    clause = next((c for c in loop.named_children if c.type == kinds.RANGE_CLAUSE), None) \
        if loop is not None and loop.type == kinds.FOR_STATEMENT else None
    ranged = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
    if lst is None or body is None or ranged is None or not pkg.storage.same(ranged, operand):
        return False
    src = pkg.file_of(assign).src
    if has_any_word(src, (b"continue", b"break", b"goto", b"return"), body.start_byte, body.end_byte):
        return False
    return any(stmt.type == kinds.INC_STATEMENT and stmt.named_children
               and unparen(stmt.named_children[0]).type == kinds.IDENTIFIER
               and pkg.scopes.same_object(unparen(stmt.named_children[0]), n) for stmt in lst.named_children)


def drops_only_nils(pkg: Package, operand: Node, n: Node) -> bool:
    """`s = s[:n]` (`operand` s) after a filter keeping the non-nil elements of s (module docstring)."""
    assign = filled_at(pkg, operand, n)
    right = assign.child_by_field_name(kinds.F_RIGHT) if assign is not None else None
    values = [v for v in right.named_children if v.type != kinds.COMMENT] if right is not None else []
    kept = unparen(values[0]) if len(values) == 1 else None
    if assign is None or kept is None or kept.type != kinds.IDENTIFIER:
        return False
    block = assign.parent.parent if assign.parent is not None else None
    branch = block.parent if block is not None and block.type == kinds.BLOCK else None
    if branch is None or branch.type != kinds.IF_STATEMENT or branch.child_by_field_name(kinds.F_ALTERNATIVE) \
            is not None or branch.child_by_field_name(kinds.F_CONSEQUENCE) != block:
        return False
    condition = branch.child_by_field_name(kinds.F_CONDITION)
    if condition is None or not _not_nil(pkg, unparen(condition), kept):
        return False
    obj = pkg.scopes.resolve(kept)
    clause = obj.value if obj is not None else None
    ranged = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None \
        and clause.type == kinds.RANGE_CLAUSE and obj is not None and obj.value_index == 1 else None
    return ranged is not None and pkg.storage.same(ranged, operand)


def _not_nil(pkg: Package, cond: Node, kept: Node) -> bool:
    """`x != nil` or `nil != x` for the variable `kept`."""
    op = cond.child_by_field_name(kinds.F_OPERATOR) if cond.type == kinds.BINARY_EXPRESSION else None
    left, right = cond.child_by_field_name(kinds.F_LEFT), cond.child_by_field_name(kinds.F_RIGHT)
    if op is None or pkg.text(op) != "!=" or left is None or right is None:
        return False
    sides = (unparen(left), unparen(right))
    return any(a.type == kinds.NIL and b.type == kinds.IDENTIFIER and pkg.scopes.same_object(b, kept)
               for a, b in (sides, sides[::-1]))
