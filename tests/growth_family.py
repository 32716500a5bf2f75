"""Two families of Hub list records dated month by month, for the family-growth tests, with the
traps real lineage holds: a cycle, a self-loop, a diamond whose two shortest paths end in
different relations, a merge, a chain, an undated descendant and a parent not in the catalog.

`growth_records()` returns fresh records; `family_truth` reads lineage back out of such records
by the closure's definition (migration 0002) in plain Python, for tests to compare against.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

ROOT, OTHER_ROOT = "grow/root-7b", "sprout/base-1b"
NEWEST = "2024-10-15T08:00:00.000Z"  # the catalog's newest creation: the growth window ends that day


def _record(repo_id: str, created: str | None, *parents: tuple[str, str], downloads: int = 0) -> dict:
    record = {
        "id": repo_id,
        "downloads": downloads,
        "likes": 0,
        "tags": [f"base_model:{relation}:{parent}" for relation, parent in parents],
    }
    if created:
        record["createdAt"] = created
    return record


def growth_records() -> list[dict]:
    return [
        _record(ROOT, "2024-01-05T10:00:00.000Z", downloads=10**6),
        _record("grow/ft-a", "2024-01-20T10:00:00.000Z", ("finetune", ROOT), downloads=5000),
        _record("grow/ft-b", "2024-03-02T23:59:59.000Z", ("finetune", ROOT), downloads=4000),
        _record("grow/lora", "2024-02-10T00:00:00.000Z", ("adapter", ROOT), downloads=3000),
        _record("quant/ft-a-gguf", "2024-03-15T10:00:00.000Z", ("quantized", "grow/ft-a"), downloads=9000),
        _record("mix/ft-merge", "2024-06-01T10:00:00.000Z", ("merge", "grow/ft-a"), ("merge", "grow/ft-b")),
        # two shortest paths of length 2, ending in finetune and adapter: adapter (alphabetically first)
        _record("mix/diamond", "2024-06-30T23:00:00.000Z", ("finetune", "grow/ft-a"), ("adapter", "grow/lora")),
        _record("grow/undated", None, ("finetune", ROOT)),
        _record("loop/a", "2024-05-05T10:00:00.000Z", ("finetune", ROOT), ("finetune", "loop/b")),
        _record("loop/b", "2024-05-06T10:00:00.000Z", ("finetune", "loop/a")),
        _record("loop/self", "2024-05-07T10:00:00.000Z", ("finetune", ROOT), ("finetune", "loop/self")),
        _record("gone/child", "2024-04-01T10:00:00.000Z", ("finetune", "gone/deleted")),
        # a chain below the quantization, its last links inside the growth window
        _record("chain/c1", "2024-07-17T23:59:59.000Z", ("finetune", "quant/ft-a-gguf")),
        _record("chain/c2", "2024-07-18T00:00:00.000Z", ("finetune", "chain/c1")),
        _record("chain/c3", "2024-09-01T10:00:00.000Z", ("adapter", "chain/c2")),
        _record("chain/c4", "2024-09-02T10:00:00.000Z", ("quantized", "chain/c3")),
        # a second family, smaller but growing faster in the window
        _record(OTHER_ROOT, "2024-08-01T10:00:00.000Z", downloads=100),
        _record("sprout/ft-1", "2024-08-10T10:00:00.000Z", ("finetune", OTHER_ROOT)),
        _record("sprout/ft-2", "2024-08-11T10:00:00.000Z", ("finetune", OTHER_ROOT)),
        _record("sprout/ft-3", "2024-09-11T10:00:00.000Z", ("finetune", OTHER_ROOT)),
        _record("sprout/ft-1-q", "2024-10-01T10:00:00.000Z", ("quantized", "sprout/ft-1")),
        _record("sprout/ft-2-q", "2024-10-02T10:00:00.000Z", ("quantized", "sprout/ft-2")),
        _record("lone/newest", NEWEST),
    ]


@dataclass(frozen=True)
class Member:
    repo_id: str
    depth: int
    relation: str  # of the last edge on a shortest path; the alphabetically first of several
    created: str | None  # ISO 8601, UTC


def edges_of(records: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """{parent (lower-case id): [(child id, relation)]} from typed `base_model:` tags, parents in the
    catalog only, self-loops left out."""
    known = {record["id"].lower() for record in records}
    children: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        for tag in record["tags"]:
            relation, _, parent = tag.removeprefix("base_model:").partition(":")
            if parent.lower() in known and parent.lower() != record["id"].lower():
                children.setdefault(parent.lower(), []).append((record["id"], relation))
    return children


def family_truth(records: list[dict], root: str) -> dict[str, Member]:
    """The descendants of `root` by breadth-first search: each at its shortest distance."""
    children = edges_of(records)
    created = {record["id"]: record.get("createdAt") for record in records}
    depth = {root.lower(): 0}
    relations: dict[str, set[str]] = {}
    ids: dict[str, str] = {}
    queue = deque([root.lower()])
    while queue:
        parent = queue.popleft()
        for child, relation in children.get(parent, []):
            key = child.lower()
            if key not in depth:
                depth[key] = depth[parent] + 1
                queue.append(key)
            if depth[key] == depth[parent] + 1:  # this edge ends a shortest path
                relations.setdefault(key, set()).add(relation)
                ids[key] = child
    return {
        ids[key]: Member(ids[key], depth[key], min(relations[key]), created[ids[key]])
        for key in depth
        if key != root.lower()
    }
