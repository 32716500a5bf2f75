"""Lineage state: a fixed number of bounded pools of recent possible parents."""

from __future__ import annotations

import random

from .dates import root_created
from .foundations import (
    FOUNDATION_POSITIONS,
    FOUNDATIONS,
    foundation_at,
    foundation_created,
    foundation_depth,
    foundation_index,
)
from .identity import Namer, oddity_kind, pure_kind
from .kinds import MERGE, MISC, ROOT
from .randomness import GOLDEN, M64, mix

MAX_DEPTH = 40  # the deepest a model sits below its root: no parent is chosen deeper

_POOL_SIZE = 256  # possible parents remembered per family
_P_FOUNDATION = 0.7  # a family derivative names the foundation itself, else a pool member
_P_CHAIN = (0.0, 0.015, 0.0, 0.0, 0.25)  # by relation: extend the family's long chain
_P_POOLED = (0.3, 1.0, 0.03, 0.1, 1.0)  # by relation (root first): becomes a possible parent
_P_FORWARD = 0.03  # a misc derivative names a root generated a little later
_FORWARD_TRIES, _FORWARD_WINDOW = 12, 400  # looking that far ahead for such a root
# A family's long chain: 12-40 links (u ** _CHAIN_SKEW, so longer is likelier), started from
# a pool member at most _CHAIN_START_DEPTH deep, else from the foundation.
_CHAIN_MIN, _CHAIN_SPREAD, _CHAIN_SKEW = 12, 29, 0.7
_CHAIN_START_DEPTH = 2
_MAX_EXTRA_PARENTS = 3  # a merge names 1 + 1-3 parents

Parent = tuple[str, int, int]  # (id, depth, created)


def _extra_parents(u: float) -> int:
    """How many more parents a merge names than its first: 1 to _MAX_EXTRA_PARENTS, fewer
    likelier."""
    return 1 + int(u**2 * _MAX_EXTRA_PARENTS)


class _Pool:
    """A ring of the latest possible parents of one family."""

    __slots__ = ("items", "pos")

    def __init__(self) -> None:
        self.items: list[Parent] = []
        self.pos = 0

    def add(self, item: Parent) -> None:
        if len(self.items) < _POOL_SIZE:
            self.items.append(item)
        else:
            self.items[self.pos] = item
            self.pos = (self.pos + 1) % _POOL_SIZE

    def pick(self, u: float) -> Parent | None:
        items = self.items
        return items[int(u * len(items))] if items else None


class Lineage:
    """Chooses parents: the family's foundation, a recent family member, the tip of the
    family's mergekit-style chain (12-40 links), or for ordinary names an ordinary root."""

    def __init__(self, namer: Namer, n: int, rng: random.Random) -> None:
        self.namer, self.n, self.random = namer, n, rng.random
        count = len(FOUNDATIONS)
        self.present = [FOUNDATION_POSITIONS[k] < n for k in range(count)]
        self.family_of = [self._present_ancestor(k) for k in range(count)]
        self.pools = [_Pool() for _ in range(count)]
        self.misc = _Pool()
        self.chains: list[list | None] = [None] * count  # [tip, target depth]
        self.extending = MISC  # the family whose chain the last choice extended
        self.foundation = [(f.repo_id, foundation_depth(k), foundation_created(k)) for k, f in enumerate(FOUNDATIONS)]
        self.relatives = [self._relatives(k) for k in range(count)]

    def _present_ancestor(self, k: int) -> int:
        """A family whose foundation lies beyond n hangs off its nearest generated ancestor."""
        while not self.present[k]:
            parent = FOUNDATIONS[k].parent
            if parent is None:
                return MISC
            k = foundation_index(parent)
        return k

    def foundation_parent(self, k: int) -> tuple[list[str], int, int] | None:
        parent = FOUNDATIONS[k].parent
        if parent is None or not self.present[foundation_index(parent)]:
            return None
        item = self.foundation[foundation_index(parent)]
        return [item[0]], item[1] + 1, item[2]

    def choose(self, i: int, family: int, relation: int) -> tuple[list[str], int, int] | None:
        """(parent ids, depth, latest parent creation) or None when no parent is at hand."""
        family = self.family_of[family] if family != MISC else MISC
        if family == MISC:
            return self._misc_parents(i, relation)
        r = self.random
        self.extending = MISC
        if r() < _P_CHAIN[relation]:
            first = self._chain_link(family)
            self.extending = family
        elif r() < _P_FOUNDATION:
            first = self.foundation[family]
        else:
            first = self.pools[family].pick(r()) or self.foundation[family]
        if relation != MERGE:
            return [first[0]], first[1] + 1, first[2]
        items = [first] + self._merge_partners(family, first[0], _extra_parents(r()))
        return ([item[0] for item in items], 1 + max(item[1] for item in items), max(item[2] for item in items))

    def _chain_link(self, family: int) -> Parent:
        chain = self.chains[family]
        if chain is not None and chain[0][1] < chain[1]:
            return chain[0]
        start = self.pools[family].pick(self.random()) or self.foundation[family]
        if start[1] > _CHAIN_START_DEPTH:
            start = self.foundation[family]
        length = _CHAIN_MIN + int(self.random() ** _CHAIN_SKEW * _CHAIN_SPREAD)
        self.chains[family] = [start, min(MAX_DEPTH, start[1] + length)]
        return start

    def _merge_partners(self, family: int, first: str, count: int) -> list[Parent]:
        """1-3 more distinct parents: family members, else the foundation or its relatives."""
        pool, found, seen = self.pools[family], [], {first}
        candidates = [pool.pick(self.random()) for _ in range(count * 2)]
        candidates += [self.foundation[k] for k in self.relatives[family]]
        for item in candidates:
            if item is not None and item[0] not in seen and item[1] < MAX_DEPTH:
                seen.add(item[0])
                found.append(item)
                if len(found) == count:
                    break
        return found

    def _relatives(self, k: int) -> tuple[int, ...]:
        """The family's foundation, then the other generated foundations of its group."""
        group = FOUNDATIONS[k].group
        return (k,) + tuple(
            j for j, f in enumerate(FOUNDATIONS) if j != k and f.group == group and self.family_of[j] == j
        )

    def _misc_parents(self, i: int, relation: int) -> tuple[list[str], int, int] | None:
        """A recent ordinary root (or one generated a little later); merges take 2-4."""
        item = self.misc.pick(self.random()) if self.random() >= _P_FORWARD else None
        item = item or self._forward_root(i)
        if item is None:
            return None
        items = [item]
        if relation == MERGE:
            wanted = _extra_parents(self.random())
            for _ in range(wanted * 2):
                other = self.misc.pick(self.random())
                if other is not None and all(other[0] != x[0] for x in items):
                    items.append(other)
                if len(items) > wanted:
                    break
            if len(items) < 2:
                return None
        return ([x[0] for x in items], 1 + max(x[1] for x in items), max(x[2] for x in items))

    def _forward_root(self, i: int) -> Parent | None:
        """An ordinary root a few hundred indexes ahead: a child listed before its parent."""
        keys = self.namer.keys
        for _ in range(_FORWARD_TRIES):
            j = i + 1 + int(self.random() * _FORWARD_WINDOW)
            if j >= self.n or j in foundation_at() or oddity_kind(keys.oddity, j):
                continue
            author, name, family, style, _ = self.namer.identity(j)
            h = mix((keys.index + j * GOLDEN) & M64)
            if family == MISC and pure_kind(style, h) == ROOT:
                return f"{author}/{name}", 0, root_created(h)
        return None

    def remember(self, relation: int, family: int, item: Parent) -> None:
        """Offer a new model as a possible parent of later derivatives; a new chain link
        becomes its chain's tip."""
        family = self.family_of[family] if family != MISC else MISC
        if family != MISC and family == self.extending:
            chain = self.chains[family]
            assert chain is not None  # extending means the family has a chain
            chain[0] = item
            self.extending = MISC
        if item[1] >= MAX_DEPTH or self.random() >= _P_POOLED[relation]:
            return
        (self.misc if family == MISC else self.pools[family]).add(item)
