"""Family growth over the first 50,000 real Hub models of ../shared, held against lineage read
straight from their `base_model:` tags (cycles and self-loops included) in plain Python.

Real tags are untyped, so the relation of each edge is ingestion's inference: these tests check
the families, their months, authors and growth, not the relation types (tests/test_family.py does,
over typed tags).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, deque
from datetime import date, datetime, timedelta

import pytest

from data import analytics, family
from data.analytics import GROWTH_WINDOW_DAYS
from data.query import SearchQuery
from tests.real_catalog import PAGES
from tests.test_ingest_shared import pages

# The largest family of the snapshot, and others of the first pages.
ROOTS = ["mistralai/Mistral-7B-v0.1", "meta-llama/Meta-Llama-3-8B", "openai/whisper-small"]


@pytest.fixture(scope="module")
def lineage():
    """(children by parent, parents by child, creation day by id, author by id): lower-case ids."""
    records = [record for path in pages(PAGES) for record in json.loads(gzip.decompress(path.read_bytes()))]
    known = {record["id"].lower() for record in records}
    children: dict[str, set[str]] = {}
    parents: dict[str, set[str]] = {}
    for record in records:
        child = record["id"].lower()
        for tag in record.get("tags") or []:
            if not tag.startswith("base_model:"):
                continue
            rest = tag.removeprefix("base_model:")
            kind, colon, typed = rest.partition(":")
            parent = (
                (typed if colon and kind in ("finetune", "adapter", "quantized", "merge") else rest).strip().lower()
            )
            if parent in known and parent != child:
                children.setdefault(parent, set()).add(child)
                parents.setdefault(child, set()).add(parent)
    created = {
        record["id"].lower(): datetime.fromisoformat(record["createdAt"]).date()
        for record in records
        if record.get("createdAt")
    }
    authors = {record["id"].lower(): record["id"].split("/")[0] for record in records}
    return children, parents, created, authors


def reachable(graph: dict[str, set[str]], start: str) -> dict[str, int]:
    """Every node reachable from `start` (not itself) at its shortest distance, within 50."""
    distance = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for following in graph.get(node, ()):
            if following not in distance and distance[node] < 50:
                distance[following] = distance[node] + 1
                queue.append(following)
    del distance[start]
    return distance


@pytest.mark.parametrize("root", ROOTS)
def test_the_timeline_of_a_real_family(real_db, lineage, root):
    children, _, created, _ = lineage
    members = reachable(children, root.lower())
    assert len(members) > 20  # a family worth the name
    months = Counter(created[m].strftime("%Y-%m") for m in members if m in created)
    with real_db.session(read_only=True) as session:
        found = family.timeline(session, root)
    per_month = [sum(counts) for counts in zip(*found.counts.values(), strict=True)]
    assert {month: n for month, n in zip(found.months, per_month, strict=True) if n} == dict(months)
    assert found.months[-1] == max(created.values()).strftime("%Y-%m")
    assert found.total_descendants == len(members)
    assert found.undated == sum(1 for m in members if m not in created)


@pytest.mark.parametrize("root", ROOTS)
def test_the_model_tree_of_a_real_family(real_db, lineage, root):
    children, _, _, authors = lineage
    members = reachable(children, root.lower())
    with real_db.session(read_only=True) as session:
        tree = family.model_tree(session, root)
    assert tree.total_descendants == len(members)
    assert sum(tree.direct.values()) == len(children[root.lower()])
    assert tree.max_depth == max(members.values())
    by_author = Counter(authors[m] for m in members)
    assert tree.authors == len(by_author)
    counts = [a.descendants for a in tree.top_authors]
    assert counts == sorted(by_author.values(), reverse=True)[: len(counts)]
    assert all(by_author[a.author] == a.descendants for a in tree.top_authors)
    assert {d.id.lower() for d in tree.top_derivatives} <= set(members)
    assert all(d.depth == members[d.id.lower()] for d in tree.top_derivatives)


def test_the_fastest_growing_real_families(real_db, lineage):
    _, parents, created, _ = lineage
    last = max(created.values())
    first = last - timedelta(days=GROWTH_WINDOW_DAYS - 1)
    grown: Counter[str] = Counter()
    for model, day in created.items():
        if day >= first:
            grown.update(reachable(parents, model).keys())  # each ancestor gained this model
    with real_db.session(read_only=True) as session:
        growth = analytics.fastest_growing(session, SearchQuery())
    assert (growth.window_start, growth.window_end) == (first, last)
    assert isinstance(growth.window_end, date)
    assert [f.recent for f in growth.families] == [n for _, n in grown.most_common(15)]
    assert all(grown[f.repo_id.lower()] == f.recent for f in growth.families)
