"""GML002 delete-during-range: a range loop over a map that deletes or inserts other keys.

The Go spec leaves it to iteration order whether an entry deleted before it is reached is
visited (it is not) and whether an entry created during the loop is visited (either). Deleting
the current key, or updating it, is well defined and silent.

User prose: rules/GML002-delete-during-range.md. Model facts: flow (map_range, key_role,
leaves_loop, order_dependent, in_fixpoint), summaries (mutation sites one call down, insert
keys, map instances), per-file language version (live std map views at >= 1.23).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.flow import Flow, KeyRole
from golinter.model.summaries import MutationKind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from golinter.findings import Finding
    from golinter.model.flow import MapRange
    from golinter.model.package import Package
    from golinter.model.summaries import MutationSite, Summaries

RULE = Rule(code="GML002", name="delete-during-range",
            summary="range loop deleting or inserting other keys of its map",
            nature=Nature.CORRECTNESS, level=Level.WARNING, precision=Precision.HIGH)

QUERY = """
(for_statement (range_clause right: (_) @gml002.range) body: (block) @gml002.body) @gml002.loop
"""


def run(pkg: Package) -> Iterator[Finding]:
    flow = Flow.for_package(pkg)
    summaries = flow.summaries
    reported: set[int] = set()
    for hit in pkg.matches(RULE):
        rng = flow.map_range(hit["gml002.loop"])
        if rng is None:
            continue
        sites = [s for s in summaries.mutations_in(rng.body) if summaries.on_map(s, rng.map_expr)]
        for site in sites:
            if site.node.id in reported:
                continue  # nested ranges over one map: the outer loop reported it
            finding = _finding(pkg, flow, summaries, rng, site, sites)
            if finding is not None:
                reported.add(site.node.id)
                yield finding


def _finding(pkg: Package, flow: Flow, summaries: Summaries, rng: MapRange, site: MutationSite,
             sites: list[MutationSite]) -> Finding | None:
    if site.kind is MutationKind.UPDATE:
        return None  # M[e] += v, M[e]++: counters update keys the map already has
    role = flow.key_role(rng, site)
    if role in (KeyRole.CURRENT, KeyRole.UNKNOWN) or flow.leaves_loop(site.node, rng.loop):
        return None
    name = pkg.text(rng.map_expr)
    target = pkg.text(site.map_expr) if site.map_expr is not None else name
    related = [(rng.clause, f"range over {name}")]
    if site.kind is MutationKind.INSERT:
        if flow.in_fixpoint(site.node, rng) or (site.mutation is None and _moves_to_derived_key(flow, rng, site)) or (
                site.map_expr is not None and site.key_expr is not None
                and flow.key_present(site.node, site.map_expr, site.key_expr)):
            return None  # a fix-point, a derived key, or an update of an entry known to exist
        head = f"call to {site.callee} inserts into" if site.mutation is not None else "insert into"
        return pkg.finding(RULE, site.node, f"{head} {target} during range over {name}: the new key may or "
                           "may not be visited; collect new entries and add them after the loop", related)
    if role is KeyRole.VALUE and _mirrored_pair(pkg, flow, summaries, rng, sites):
        return None
    effect = flow.order_dependent(rng, lambda s: summaries.on_map(s, rng.map_expr))
    if effect is None:
        return None  # a body that only deletes: nothing observes which entries were visited
    if site.mutation is not None:
        head = f"call to {site.callee} during range over {name} deletes a key of {name} other than the current one"
    else:
        head = f"delete from {target} during range over {name} removes a key other than the current one"
    return pkg.finding(RULE, site.node, f"{head}; whether it is still visited depends on iteration order; "
                       "skip removed keys explicitly or delete after the loop",
                       related + [(effect.node, f"{effect.what}: the result depends on which keys are visited")])


def _mirrored_pair(pkg: Package, flow: Flow, summaries: Summaries, rng: MapRange,
                   sites: list[MutationSite]) -> bool:
    """`delete(m, k); delete(m, v)` on a symmetric pairing (`m[a] = b; m[b] = a` at every insert):
    whichever of a pair is visited first, both go and the other is not visited."""
    storage = pkg.storage.key(rng.map_expr)
    if storage is None or not summaries.insert_keys(storage).mirrored:
        return False
    return any(s.kind is MutationKind.DELETE and flow.key_role(rng, s) is KeyRole.CURRENT for s in sites)


def _moves_to_derived_key(flow: Flow, rng: MapRange, site: MutationSite) -> bool:
    """An insert at a key computed from the current one (`m[strings.ToLower(k)] = v`,
    `if canon := norm(k); canon != k { m[canon] = m[k]; delete(m, k) }`). If the range reaches
    the new entry, the same computation on its key gives the key back (normalisers are
    idempotent) or the guard no longer picks it. Only keys that extend the current one
    (`k + "/v2"`, `path.Join(dir, k)`, `k + 1`) without such a guard grow again on each visit."""
    key = site.key_expr
    if key is None or not flow.derives_from_key(rng, key):
        return False
    return not flow.key_grows(rng, key) or flow.key_guarded(rng, site.node)
