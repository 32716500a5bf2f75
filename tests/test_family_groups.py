"""data/family_groups.py over the first 50,000 real Hub models (self-loops, cycles and merges
included): a family's groups, the links between them, its authors and a model's direct
derivatives, against a breadth-first walk of base_model_relations done here in Python."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import text

from data.family_groups import LINK_SAMPLE, Group, direct_derivatives, family_authors, family_groups, family_sizes
from data.vocabulary import MAX_LINEAGE_DEPTH

TOP = 3


def read_relations(db):
    with db.session(read_only=True) as session:
        edges = session.execute(
            text("""
            SELECT r.model_id, r.base_model_ref, r.relation_type, r.declared FROM base_model_relations r
            WHERE r.base_model_ref IS NOT NULL""")
        ).all()
        models = {row.id: row for row in session.execute(text("SELECT id, repo_id, author FROM models")).all()}
    return edges, models


@pytest.fixture(scope="module")
def relations(real_db):
    return read_relations(real_db)


@pytest.fixture(scope="module")
def roots(real_db):
    """The five largest families."""
    with real_db.session(read_only=True) as session:
        return list(
            session.execute(
                text("""
                SELECT m.repo_id FROM lineage_counts c JOIN models m ON m.id = c.ancestor
                GROUP BY m.repo_id ORDER BY sum(c.descendants) DESC, m.repo_id LIMIT 5""")
            ).scalars()
        )


def walk(root_id: int, edges) -> dict[int, tuple[int, str]]:
    """(generation, relation type) of each descendant: the shortest path's length, and the
    alphabetically first relation type into it from the generation above."""
    children = defaultdict(list)
    for edge in edges:
        if edge.model_id != edge.base_model_ref:
            children[edge.base_model_ref].append(edge)
    placed: dict[int, tuple[int, str]] = {}
    level, depth = [root_id], 0
    while level and depth < MAX_LINEAGE_DEPTH:
        depth += 1
        found: dict[int, str] = {}
        for parent in level:
            for edge in children[parent]:
                child = edge.model_id
                if child != root_id and child not in placed:
                    found[child] = min(found.get(child, edge.relation_type), edge.relation_type)
        placed |= {child: (depth, kind) for child, kind in found.items()}
        level = list(found)
    return placed


def assert_groups_match_a_walk(db, relations, roots) -> None:
    """Sizes per group; links per model for the root and every descendant named; links per
    group (relation rows from a parent one generation above) from generation 2. The families
    here are smaller than LINK_SAMPLE, so the per-group links are exact."""
    edges, models = relations
    by_repo = {row.repo_id: row.id for row in models.values()}
    assert roots, "the catalog has families"
    for root in roots:
        root_id = by_repo[root]
        placed = walk(root_id, edges)
        assert len(placed) < LINK_SAMPLE
        named = [models[child].repo_id for child in placed]
        with db.session(read_only=True) as session:
            groups = family_groups(session, root, MAX_LINEAGE_DEPTH, named)
        assert groups is not None
        assert groups.sizes == Counter(Group(*place) for place in placed.values()), root
        per_model, per_group = defaultdict(set), Counter()
        for edge in edges:
            child, parent = edge.model_id, edge.base_model_ref
            if child not in placed or child == parent:
                continue
            depth, kind = placed[child]
            parent_place = None if parent == root_id else placed.get(parent)
            if depth == 1 and parent == root_id:
                per_model[(root, None, (depth, kind))].add(child)
            elif parent_place is not None and parent_place[0] == depth - 1:
                per_model[(models[parent].repo_id, parent_place, (depth, kind))].add(child)
                per_group[(None, parent_place, (depth, kind))] += 1
        expected = {key: len(children) for key, children in per_model.items()} | dict(per_group)
        got = {
            (link.parent, link.parent_group and tuple(link.parent_group), tuple(link.child)): link.children
            for link in groups.links
        }
        assert got == expected, root


def test_groups_and_links_match_a_walk_of_the_relations(real_db, relations, roots):
    assert_groups_match_a_walk(real_db, relations, roots)


def test_cycles_and_self_loops_are_walked_once(family_db):
    """tests/fixtures/family.json: odd/self-made names itself, odd/cycle-a and -b each other."""
    assert_groups_match_a_walk(family_db, read_relations(family_db), ["odd/cycle-a", "odd/self-made", "acme/base-7b"])
    with family_db.session(read_only=True) as session:
        cycle = family_groups(session, "odd/cycle-a", 3)
        alone = family_groups(session, "odd/self-made", 3)
    assert cycle is not None and cycle.sizes == {Group(1, "finetune"): 1}  # not its own descendant
    assert alone is not None and alone.sizes == {} and alone.links == []


def test_links_stop_at_the_generations_asked_for(real_db, roots):
    with real_db.session(read_only=True) as session:
        groups = family_groups(session, roots[0], 2)
        sizes = family_sizes(session, roots[0])
    assert groups is not None and groups.links
    assert max(link.child.depth for link in groups.links) == 2
    assert all(link.parent in (None, roots[0]) for link in groups.links)  # no model named: the root's
    assert max(group.depth for group in groups.sizes) > 2  # the sizes are the whole family's
    assert sizes == groups.sizes


def test_authors_by_relation_top_ones_then_the_others(real_db, relations, roots):
    edges, models = relations
    by_repo = {row.repo_id: row.id for row in models.values()}
    for root in roots:
        placed = walk(by_repo[root], edges)
        counted = Counter((kind, models[child].author or "") for child, (_, kind) in placed.items())
        expected = []
        for relation in sorted({kind for kind, _ in counted}):
            ranked = sorted(((n, a) for (k, a), n in counted.items() if k == relation), key=lambda x: (-x[0], x[1]))
            expected += [(relation, author, n) for n, author in ranked[:TOP]]
            if ranked[TOP:]:
                expected.append((relation, None, sum(n for n, _ in ranked[TOP:])))
        with real_db.session(read_only=True) as session:
            got = family_authors(session, root, TOP)
        assert got is not None
        assert [(c.relation, c.author, c.models) for c in got] == expected, root


def test_direct_derivatives_by_declared_or_inferred(real_db, relations, roots):
    edges, models = relations
    by_repo = {row.repo_id: row.id for row in models.values()}
    for root in roots:
        root_id = by_repo[root]
        expected = defaultdict(set)
        for edge in edges:
            if edge.base_model_ref == root_id and edge.model_id != root_id:
                expected[(edge.relation_type, edge.declared)].add(edge.model_id)
        with real_db.session(read_only=True) as session:
            got = direct_derivatives(session, root)
        assert got is not None
        assert got.counts == {key: len(ids) for key, ids in expected.items()}, root


def test_an_unknown_model_has_no_family(real_db):
    with real_db.session(read_only=True) as session:
        assert family_groups(session, "nobody/nothing", 3) is None
        assert family_sizes(session, "nobody/nothing") is None
        assert family_authors(session, "nobody/nothing", 3) is None
        assert direct_derivatives(session, "bad/\x00id") is None
