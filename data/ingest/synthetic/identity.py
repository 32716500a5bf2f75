"""Everything other records may need about index i, as a pure function of (seed, i)."""

from __future__ import annotations

from functools import lru_cache

from .foundations import FOUNDATIONS, foundation_at
from .kinds import CYCLE, FINETUNE, MERGE, MISSING, ROOT, SELF_LOOP
from .randomness import GOLDEN, M64, SLOTS, Keys, mix, seed_keys
from .tables import lap_suffix, name_tables
from .vocabulary import SYLLABLES

# How often a name of each style really declares a base model (the rest are undeclared roots).
_P_DERIVED = (0.045, 0.86, 0.9, 0.92, 0.96, 0.0)
ODDITY_BLOCK = 1000  # indexes per block; each block holds one of each oddity


class Namer:
    """Per-seed naming of index i as (author, name, family, style, sub).

    Author a's r-th model (r counts a's slots over blocks of 2^16 indexes) takes entry
    (r * mult[a] + offset[a]) mod the prime size of a's section, plus a lap suffix once r
    exceeds that size: distinct r give distinct names, so ids never repeat without
    remembering any."""

    def __init__(self, seed: int) -> None:
        tables = name_tables()
        authors = tables.authors
        self.keys = seed_keys(seed)
        self.slot_mult = self.keys.slot_mult
        self.slot_author = authors.slot_author
        self.slot_rank = authors.slot_rank
        self.authors = []  # per author: (name, quota, mult, offset, section)
        for a, name in enumerate(authors.names):
            section = tables.sections[authors.section[a]]
            h = mix((self.keys.author + a * GOLDEN) & M64)
            self.authors.append((name, authors.quota[a], 1 + h % (section.size - 1), (h >> 32) % section.size, section))
        self._block, self._block_offset = -1, 0  # memo: indexes come mostly in order

    def identity(self, i: int) -> tuple[str, str, int, int, int]:
        block = i >> 16
        if block != self._block:
            self._block = block
            self._block_offset = mix((self.keys.block + block) & M64) & (SLOTS - 1)
        slot = ((i & (SLOTS - 1)) * self.slot_mult + self._block_offset) & (SLOTS - 1)
        author, quota, mult, offset, section = self.authors[self.slot_author[slot]]
        lap, entry = divmod(block * quota + self.slot_rank[slot], section.size)
        entry = (entry * mult + offset) % section.size
        name = section.names[entry]
        if lap:
            name += lap_suffix(lap)
        return author, name, section.family[entry], section.style[entry], section.sub[entry]

    def repo_id(self, i: int) -> str:
        k = foundation_at().get(i)
        if k is not None:
            return FOUNDATIONS[k].repo_id
        author, name, _, _, _ = self.identity(i)
        return f"{author}/{name}"


@lru_cache(maxsize=8)
def namer(seed: int) -> Namer:
    return Namer(seed)


def model_id(seed: int, index: int) -> str:
    """The Hub id ("author/name") of record `index` in any generation with this seed."""
    if index < 0:
        raise ValueError("index must be >= 0")
    return namer(seed).repo_id(index)


@lru_cache(maxsize=1024)
def oddities(oddity_key: int, block: int) -> tuple[int, int, int, int]:
    """(self-loop index, cycle start, cycle length, missing-parent index) of one block of
    ODDITY_BLOCK indexes: one of each per block, in separate thirds, off foundations."""
    h = mix((oddity_key + block * GOLDEN) & M64)
    third = ODDITY_BLOCK // 3
    length = 2 + (h >> 60) % 3
    picks = []
    for part, width in ((0, 1), (1, length), (2, 1)):
        start = block * ODDITY_BLOCK + part * third + (h >> (20 * part)) % (third - 5)
        while any(p in foundation_at() for p in range(start, start + width)):
            start += width
        picks.append(start)
    return picks[0], picks[1], length, picks[2]


def oddity_kind(oddity_key: int, i: int) -> int:
    self_loop, cycle, length, missing = oddities(oddity_key, i // ODDITY_BLOCK)
    if i == self_loop:
        return SELF_LOOP
    if i == missing:
        return MISSING
    return CYCLE if cycle <= i < cycle + length else 0


def pure_kind(style: int, h: int) -> int:
    """ROOT, or the relation the name's style suggests (ordinary names: finetune)."""
    if (h & 0xFFFFFF) >= _P_DERIVED[style] * 0x1000000:
        return ROOT
    return style if FINETUNE <= style <= MERGE else FINETUNE


def ghost_id(keys: Keys, i: int) -> str:
    """A parent id no generation produces: its author is outside the author vocabulary."""
    tables = name_tables()
    h = mix((keys.oddity + i * 0x632BE59BD9B4E019) & M64)
    n = len(SYLLABLES)
    author = f"{SYLLABLES[h % n]}{SYLLABLES[(h >> 8) % n]}-{SYLLABLES[(h >> 16) % n]}{(h >> 24) % 1000}"
    while author.lower() in tables.authors.known:
        author += "x"
    general = tables.sections[0]
    return f"{author}/{general.names[(h >> 40) % general.size]}"
