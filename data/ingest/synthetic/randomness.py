"""Pure per-(seed, index) randomness, so any index can be recomputed on demand; weighted choice."""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

M64 = (1 << 64) - 1  # arithmetic is on 64-bit integers
GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: spreads consecutive indexes over 64 bits
SLOTS = 1 << 16  # author slots per block of indices; see tables.Authors


def mix(x: int) -> int:
    """splitmix64's finalizer: a bijection on 64-bit integers."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


@dataclass(frozen=True)
class Keys:
    """Per-seed hash keys, one per independent decision."""

    slot_mult: int
    block: int
    author: int
    index: int
    oddity: int


@lru_cache(maxsize=32)
def seed_keys(seed: int) -> Keys:
    base = mix((seed * GOLDEN + 0x5EED) & M64)

    def key(salt: int) -> int:
        return mix(base ^ (salt * 0xD6E8FEB86659FD93 & M64))

    return Keys(
        slot_mult=(key(1) & (SLOTS - 1)) | 1,  # odd, so a bijection modulo 2^16
        block=key(2),
        author=key(3),
        index=key(4),
        oddity=key(5),
    )


@cache
def chooser(pairs: tuple[tuple, ...]) -> tuple[tuple, list[float]]:
    """(items, cumulative shares) for `items[bisect(cum, u)]` with u in [0, 1), built once
    per table of (item, weight) pairs."""
    items = tuple(item for item, _ in pairs)
    total = sum(w for _, w in pairs)
    cum, acc = [], 0.0
    for _, w in pairs:
        acc += w / total
        cum.append(acc)
    cum[-1] = 2.0  # rounding must never push u past the last item
    return items, cum


def choose(choice: tuple[tuple, list[float]], u: float):
    """The item of a `chooser` table that u in [0, 1) falls on."""
    return choice[0][bisect_right(choice[1], u)]


def pick(rng: random.Random, items):
    """One of `items`, uniformly."""
    return items[int(rng.random() * len(items))]
