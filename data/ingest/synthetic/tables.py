"""Name tables, built once per process from a fixed RNG (independent of the seed)."""

from __future__ import annotations

import random
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from .foundations import FOUNDATIONS, GROUPS, Foundation
from .kinds import ADAPTER, FINETUNE, GENERIC, MERGE, MISC, ORG, QUANTIZED
from .names import derivative_name, org_names, root_name, user_name
from .randomness import SLOTS
from .vocabulary import N_AUTHORS, NAMED_AUTHORS, ORG_BRANDS, QUANT, ROOT_PIPELINES

_ZIPF_S, _ZIPF_Q = 1.05, 3.0  # Zipf-Mandelbrot author shares: rank k weighs 1/(k + q)^s
# Sections: the general one (users and organisations without their own), about a third of it
# derivative-looking names, the rest ordinary roots; those of quantizer and merger accounts,
# with their (finetune, adapter, quantized, merge) name shares, for LLM families only.
_GENERAL_SIZE, _GENERAL_DERIVED = 24_000, 0.32
_QUANT_SIZE, _QUANT_SHARES = 10_000, (0.08, 0.0, 0.92, 0.0)
_MERGE_SIZE, _MERGE_SHARES = 5_000, (0.4, 0.05, 0.0, 0.55)
_TRIES_PER_NAME = 30  # a template may keep giving taken names: stop after this many draws each

_VALID_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_MAX_TABLE_NAME = 88  # leaves room for a lap suffix ("-runNNN") under the Hub's 96
# An author's later laps through its table append "-v2", "-2", "-run2", "-exp2", "-ep2",
# "-v3"...: each suffix has one "-", its first character, so none ends another one, and a
# name never equals another name plus a suffix (_SectionBuilder drops such names).
_LAP_FORMS = ("-v", "-", "-run", "-exp", "-ep")
_LAP_SUFFIX = re.compile(r"(.+)-(?:v|run|exp|ep)?([1-9][0-9]*)\Z")


def lap_suffix(lap: int) -> str:
    return f"{_LAP_FORMS[(lap - 1) % len(_LAP_FORMS)]}{(lap - 1) // len(_LAP_FORMS) + 2}"


@dataclass(frozen=True)
class _Section:
    """Distinct names one author profile draws from, with what each name implies."""

    names: tuple[str, ...]
    family: array  # foundation index or MISC
    style: bytes
    sub: bytes  # quantization type for quantized names, pipeline code for roots
    size: int  # prime, so any multiplier permutes the entries


@dataclass(frozen=True)
class _Authors:
    """Zipf authors as slot tables: block b of 2^16 indices gives author a exactly quota[a]
    slots, so (block, rank among the author's slots) numbers an author's models densely."""

    names: tuple[str, ...]
    section: bytes
    quota: array
    slot_author: array
    slot_rank: array
    known: frozenset[str]  # lowercased, for ghost (never generated) authors


@dataclass(frozen=True)
class _Tables:
    sections: tuple[_Section, ...]
    authors: _Authors


def _is_valid_name(name: str) -> bool:
    return (
        len(name) <= _MAX_TABLE_NAME and _VALID_NAME.match(name) is not None and ".." not in name and "--" not in name
    )


class _SectionBuilder:
    """Collects distinct (case-insensitively) valid names with their family/style/sub."""

    def __init__(self, rng: random.Random, reserved: set[str]):
        self.rng = rng
        self.reserved = reserved  # lowercased names never to generate (foundations')
        self.seen: dict[str, None] = {}
        self.rows: list[tuple[str, int, int, int]] = []

    def add(self, count: int, make: Callable[[random.Random], str], family: int, style: int, sub: int = 0) -> None:
        """Up to `count` new names drawn from `make`, at most _TRIES_PER_NAME draws each."""
        made = 0
        for _ in range(count * _TRIES_PER_NAME):
            if made == count:
                break
            made += self.offer(make(self.rng), family, style, sub)

    def offer(self, name: str, family: int, style: int, sub: int) -> bool:
        """Keep `name` unless it is taken (in any case), reserved or not a valid name."""
        key = name.lower()
        if key in self.seen or key in self.reserved or not _is_valid_name(name):
            return False
        self.seen[key] = None
        self.rows.append((name, family, style, sub))
        return True

    def build(self) -> _Section:
        rows = [row for row in self.rows if not self._shadows(row[0])]
        self.rng.shuffle(rows)
        rows = rows[: _largest_prime_at_most(len(rows))]
        names, families, styles, subs = zip(*rows, strict=True)
        return _Section(names, array("h", families), bytes(styles), bytes(subs), len(names))

    def _shadows(self, name: str) -> bool:
        """True when `name` equals another name plus a lap suffix ("X" and "X-v2", "X-2")."""
        m = _LAP_SUFFIX.match(name.lower())
        if not m or int(m.group(2)) < 2:
            return False
        return m.group(1) in self.seen or m.group(1) in self.reserved


def _largest_prime_at_most(n: int) -> int:
    """Section sizes are prime so any multiplier permutes a section."""

    def is_prime(k: int) -> bool:
        return k >= 2 and all(k % d for d in range(2, int(k**0.5) + 1))

    while not is_prime(n):
        n -= 1
    return n


def _derivative_shares(styles_for: Callable[[Foundation], tuple[float, ...]]):
    """(foundation index, style, weight) for every family and name style."""
    rows = []
    for k, f in enumerate(FOUNDATIONS):
        for style, share in zip((FINETUNE, ADAPTER, QUANTIZED, MERGE), styles_for(f), strict=True):
            if share > 0:
                rows.append((k, style, f.weight * share))
    return rows


def _fill_derivatives(builder: _SectionBuilder, count: int, rows) -> None:
    total = sum(w for _, _, w in rows)
    for k, style, w in rows:
        f = FOUNDATIONS[k]
        share = round(count * w / total)
        if style == QUANTIZED:
            _fill_quantized(builder, share, f, k, GROUPS[f.group].quants)
        else:
            builder.add(share, partial(derivative_name, f=f, style=style, quant=""), k, style)


def _fill_quantized(builder: _SectionBuilder, count: int, f: Foundation, k: int, quants) -> None:
    total = sum(w for _, w in quants)
    for quant, w in quants:
        code = tuple(QUANT).index(quant)  # a quantized name's sub
        builder.add(
            max(1, round(count * w / total)),
            partial(derivative_name, f=f, style=QUANTIZED, quant=quant),
            k,
            QUANTIZED,
            code,
        )


def _general_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    size, derived = _GENERAL_SIZE, _GENERAL_DERIVED
    _fill_derivatives(builder, int(size * derived), _derivative_shares(lambda f: GROUPS[f.group].shares))
    total = sum(w for _, w in ROOT_PIPELINES)
    for pipeline, w in ROOT_PIPELINES:
        code = _pipeline_code(pipeline)
        builder.add(round(size * (1 - derived) * w / total), partial(root_name, pipeline=pipeline), MISC, GENERIC, code)
    return builder.build()


def _pipeline_code(pipeline: str | None) -> int:
    """A root name's sub: its pipeline's position in ROOT_PIPELINES."""
    return [p for p, _ in ROOT_PIPELINES].index(pipeline)


def _llm_only(shares):
    return lambda f: shares if f.group in ("llm", "vlm") else (0.0, 0.0, 0.0, 0.0)


def _quant_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    _fill_derivatives(builder, _QUANT_SIZE, _derivative_shares(_llm_only(_QUANT_SHARES)))
    return builder.build()


def _merge_section(rng: random.Random, reserved: set[str]) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    _fill_derivatives(builder, _MERGE_SIZE, _derivative_shares(_llm_only(_MERGE_SHARES)))
    return builder.build()


def _org_section(rng: random.Random, reserved: set[str], org: str) -> _Section:
    builder = _SectionBuilder(rng, reserved)
    for name, pipeline in org_names(org):
        builder.offer(name, MISC, ORG, _pipeline_code(pipeline))
    return builder.build()


def _build_authors(rng: random.Random, section_of_profile: dict[str, int]) -> _Authors:
    named = {rank: (name, profile) for rank, name, profile in NAMED_AUTHORS}
    taken = {name.lower() for name, _ in named.values()}
    taken |= {f.repo_id.split("/")[0].lower() for f in FOUNDATIONS}
    names, sections = [], []
    for rank in range(1, N_AUTHORS + 1):
        if rank in named:
            name, profile = named[rank]
        else:
            name, profile = user_name(rng), "user"
            while name.lower() in taken:
                name = user_name(rng)
            taken.add(name.lower())
        names.append(name)
        sections.append(section_of_profile.get(name, section_of_profile[profile]))
    quota = _zipf_quotas(len(names))
    slot_author = array("H")
    for a, q in enumerate(quota):
        slot_author.extend([a] * q)
    shuffled = list(slot_author)
    rng.shuffle(shuffled)
    slot_author = array("H", shuffled)
    seen = [0] * len(names)
    slot_rank = array("I", [0] * SLOTS)
    for s, a in enumerate(slot_author):
        slot_rank[s] = seen[a]
        seen[a] += 1
    return _Authors(tuple(names), bytes(sections), array("I", quota), slot_author, slot_rank, frozenset(taken))


def _zipf_quotas(count: int) -> list[int]:
    """Slots per author out of 2^16: Zipf-Mandelbrot, at least one each, summing exactly."""
    weights = [1.0 / (k + _ZIPF_Q) ** _ZIPF_S for k in range(1, count + 1)]
    total = sum(weights)
    quota = [max(1, int(SLOTS * w / total)) for w in weights]
    remainder = SLOTS - sum(quota)
    assert 0 <= remainder < count
    for k in range(remainder):  # the rounding remainder goes to the top ranks
        quota[k] += 1
    return quota


@cache
def name_tables() -> _Tables:
    rng = random.Random(0x48554221)  # fixed: tables do not depend on the seed
    reserved = set()  # lowercased names that must never be generated
    for f in FOUNDATIONS:
        name = f.repo_id.split("/")[1].lower()
        reserved.add(name)
        lap = _LAP_SUFFIX.match(name)
        if lap and int(lap.group(2)) >= 2:
            reserved.add(lap.group(1))  # "phi" would lap into "phi-2", a foundation
    sections = [_general_section(rng, reserved), _quant_section(rng, reserved), _merge_section(rng, reserved)]
    section_of = {"user": 0, "quant": 1, "merge": 2, "org": 0}
    for org in ORG_BRANDS:
        section_of[org] = len(sections)
        sections.append(_org_section(rng, reserved, org))
    return _Tables(tuple(sections), _build_authors(rng, section_of))
