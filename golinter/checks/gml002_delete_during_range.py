"""GML002 delete-during-range: a range loop over a map that deletes or inserts other keys.

The Go spec leaves it to iteration order whether an entry deleted before it is reached is
visited (it is not) and whether an entry created during the loop is visited (either). Deleting
the current key, or updating it, is well defined and silent.

User prose: rules/GML002-delete-during-range.md. Model facts: flow (map_range, leaves_loop,
order_dependent, in_fixpoint), keyroles (key_role, derived and growing keys, guards, inert
revisits), summaries (mutation sites one call down, insert keys, map instances) and effects,
per-file language version (live std map views at >= 1.23).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.flow import Flow
from golinter.model.keyroles import KeyRole, KeyRoles
from golinter.model.occurrences import may_assign
from golinter.model.scopes import ObjKind
from golinter.model.summaries import MutationKind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.flow import MapRange
    from golinter.model.package import Package
    from golinter.model.summaries import MutationSite

RULE = Rule(code="GML002", name="delete-during-range",
            summary="range loop deleting or inserting other keys of its map",
            nature=Nature.CORRECTNESS, level=Level.WARNING, precision=Precision.HIGH, test_candidates=True)

QUERY = """
(for_statement (range_clause right: (_) @gml002.range) body: (block) @gml002.body) @gml002.loop
"""
# Every match holds one of these (parse.live_ranges skips declarations without): a range loop.
QUERY_WORDS = (b"range",)


def run(pkg: Package) -> Iterator[Finding]:
    flow, keys = Flow.for_package(pkg), KeyRoles.for_package(pkg)
    reported: set[int] = set()
    for hit in pkg.matches(RULE):
        operand = flow.ranged_operand(hit["gml002.loop"])
        if operand is None or not flow.summaries.may_mutate(hit["gml002.body"], operand):
            continue  # cheap and syntactic: most loops mutate nothing they range over
        rng = flow.map_range(hit["gml002.loop"])
        if rng is None:
            continue
        sites = [s for s in flow.summaries.mutations_in(rng.body) if flow.summaries.on_map(s, rng.map_expr)]
        for site in sites:
            if site.node.id in reported or not _other_key_in_loop(flow, keys, rng, site):
                continue  # reported id: nested ranges over one map, the outer loop reported it
            if site.kind is MutationKind.INSERT:
                finding = _insert_finding(pkg, flow, keys, rng, site)
            else:
                finding = _delete_finding(pkg, flow, keys, rng, site, sites)
            if finding is not None:
                reported.add(site.node.id)
                yield finding


def _other_key_in_loop(flow: Flow, keys: KeyRoles, rng: MapRange, site: MutationSite) -> bool:
    """A delete or plain insert (`M[e] op= v` updates are left alone) of a key that is not the
    current one, after which the loop can go on."""
    return (site.kind is not MutationKind.UPDATE
            and keys.key_role(rng, site) in (KeyRole.OTHER, KeyRole.VALUE)
            and not flow.leaves_loop(site.node, rng.loop))


def _insert_finding(pkg: Package, flow: Flow, keys: KeyRoles, rng: MapRange, site: MutationSite) -> Finding | None:
    if flow.in_fixpoint(site.node, rng) or _moves_to_derived_key(keys, rng, site) or _known_present(keys, site) \
            or keys.key_selected(rng, site.node) or _revisit_is_inert(flow, keys, rng, site):
        return None
    name = pkg.text(rng.map_expr)
    head = f"call to {site.callee} inserts into {name}" if site.mutation is not None else \
        f"insert into {_target(pkg, site, name)}"
    return pkg.finding(RULE, site.node, f"{head} during range over {name}: the new key may or may not be "
                       "visited; collect new entries and add them after the loop", [_range_related(pkg, rng)])


def _delete_finding(pkg: Package, flow: Flow, keys: KeyRoles, rng: MapRange, site: MutationSite,
                    sites: list[MutationSite]) -> Finding | None:
    if keys.key_role(rng, site) is KeyRole.VALUE and _mirrored_pair(pkg, flow, keys, rng, sites):
        return None
    effect = flow.order_dependent(rng, lambda s: flow.summaries.on_map(s, rng.map_expr))
    if effect is None:
        return None  # a body that only deletes: nothing observes which entries were visited
    name = pkg.text(rng.map_expr)
    fixed = _loop_invariant_key(pkg, rng, site)
    if fixed is not None and rng.key is not None:
        # `for k := range m { if inRange(k, key, end) { delete(m, key) } }`: a wrong variable, most likely
        k = pkg.text(rng.key)
        head = (f"delete from {_target(pkg, site, name)} during range over {name} uses {fixed}, which does not "
                f"change in the loop, not the current key {k}: every pass deletes the same entry; did you mean "
                f"delete({name}, {k})?")
        return pkg.finding(RULE, site.node, head, [_range_related(pkg, rng),
                           (effect.node, f"{effect.what}: the result depends on which keys are visited")])
    if site.mutation is not None:
        head = f"call to {site.callee} during range over {name} deletes a key of {name} other than the current one"
    else:
        head = f"delete from {_target(pkg, site, name)} during range over {name} removes a key other than the current one"
    return pkg.finding(RULE, site.node, f"{head}; whether it is still visited depends on iteration order; "
                       "skip removed keys explicitly or delete after the loop",
                       [_range_related(pkg, rng),
                        (effect.node, f"{effect.what}: the result depends on which keys are visited")])


def _loop_invariant_key(pkg: Package, rng: MapRange, site: MutationSite) -> str | None:
    """The key of a direct `delete(m, key)` when it is a variable declared before the loop and
    assigned nowhere in its body (a parameter, a local set earlier): its text, else None."""
    key = site.key_expr
    if site.mutation is not None or key is None or key.type != kinds.IDENTIFIER:
        return None
    obj = pkg.scopes.resolve(key)
    if obj is None or obj.ident is None or obj.kind is not ObjKind.VAR or pkg.file_of(obj.ident) is not pkg.file_of(key) \
            or rng.loop.start_byte <= obj.ident.start_byte < rng.loop.end_byte:
        return None
    name = pkg.text(key)
    if may_assign(pkg.file_of(key).src, name.encode(), rng.body.start_byte, rng.body.end_byte):
        return None
    return name


def _revisit_is_inert(flow: Flow, keys: KeyRoles, rng: MapRange, site: MutationSite) -> bool:
    """Reaching the new entry changes nothing: a constant key that no dispatch on the current key
    picks (`switch k { case A: }`), or the current value re-keyed by a function of itself
    (`m[id(v)] = v`) in a body whose only effects are on the map."""
    if site.key_expr is not None and keys.inert_visit(rng, site.key_expr):
        return True
    return keys.rekeys_value(rng, site) and flow.order_dependent(rng, lambda s: flow.summaries.on_map(
        s, rng.map_expr)) is None


def _range_related(pkg: Package, rng: MapRange) -> tuple[Node, str]:
    """The range clause: `range over m`, or `range over maps.Keys(m), a live view of m`."""
    name = pkg.text(rng.map_expr)
    right = rng.clause.child_by_field_name(kinds.F_RIGHT)
    if rng.view and right is not None:
        return rng.clause, f"range over {pkg.text(right)}, a live view of {name}"
    return rng.clause, f"range over {name}"


def _target(pkg: Package, site: MutationSite, name: str) -> str:
    return pkg.text(site.map_expr) if site.map_expr is not None else name


def _known_present(keys: KeyRoles, site: MutationSite) -> bool:
    """`if x, ok := M[e]; ok { M[e] = x }`: an update of an entry that exists."""
    return site.map_expr is not None and site.key_expr is not None \
        and keys.key_present(site.node, site.map_expr, site.key_expr)


def _mirrored_pair(pkg: Package, flow: Flow, keys: KeyRoles, rng: MapRange, sites: list[MutationSite]) -> bool:
    """`delete(m, k); delete(m, v)` on a symmetric pairing (`m[a] = b; m[b] = a` at every insert):
    whichever of a pair is visited first, both go and the other is not visited."""
    storage = pkg.storage.key(rng.map_expr)
    if storage is None or not flow.summaries.insert_keys(storage).mirrored:
        return False
    return any(s.kind is MutationKind.DELETE and keys.key_role(rng, s) is KeyRole.CURRENT for s in sites)


def _moves_to_derived_key(keys: KeyRoles, rng: MapRange, site: MutationSite) -> bool:
    """An insert at a key computed from the current one (`m[strings.ToLower(k)] = v`,
    `if canon := norm(k); canon != k { m[canon] = m[k]; delete(m, k) }`). If the range reaches
    the new entry, the same computation on its key gives the key back (normalisers are
    idempotent) or the guard no longer picks it. Only keys that extend the current one
    (`k + "/v2"`, `path.Join(dir, k)`, `k + 1`) without such a guard grow again on each visit."""
    key = site.key_expr
    if site.mutation is not None or key is None or not keys.derives_from_key(rng, key):
        return False
    return not keys.key_grows(rng, key) or keys.key_guarded(rng, site.node)
