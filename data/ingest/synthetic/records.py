"""The stream: one record dict per index, in the Hub list API's shape."""

from __future__ import annotations

import random
from collections.abc import Iterator

from .attributes import Attrs, draw_attributes, draw_references, foundation_attributes
from .cards import card_data, gguf_siblings, record_tags
from .dates import TYPED_SINCE, derived_created, iso_time, last_modified, root_created
from .foundations import FOUNDATIONS, foundation_at, foundation_created
from .identity import ODDITY_BLOCK, ghost_id, namer, oddities, oddity_kind, pure_kind
from .kinds import CYCLE, FINETUNE, MISC, QUANTIZED, RELATIONS, ROOT, SELF_LOOP
from .lineage import Lineage
from .popularity import draw_gated, draw_popularity
from .randomness import GOLDEN, M64, mix

_VARIANTS = 32  # attribute draws kept per (family or pipeline, style, sub, kind); see Attrs


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.namer = namer(seed)
        self.keys = self.namer.keys
        self.rng = random.Random(mix((seed * 0x2545F4914F6CDD1D + 17) & M64))
        self.lineage = Lineage(self.namer, n, self.rng)
        self.variants: dict[tuple[int, int, int, int], list[Attrs]] = {}
        self._odd_block, self._odd_set = -1, frozenset[int]()

    def record(self, i: int) -> dict:
        h = mix((self.keys.index + i * GOLDEN) & M64)
        k = foundation_at().get(i)
        if k is not None:
            found = self.lineage.foundation_parent(k)
            return self._format(
                i,
                h,
                FOUNDATIONS[k].repo_id,
                FINETUNE if found else ROOT,
                found[0] if found else (),
                foundation_created(k),
                foundation_attributes(k),
            )
        author, name, family, style, sub = self.namer.identity(i)
        repo_id = f"{author}/{name}"
        if i // ODDITY_BLOCK != self._odd_block:
            self._load_oddities(i // ODDITY_BLOCK)
        if i in self._odd_set:
            return self._oddity(i, h, repo_id, family, style, sub)
        kind = pure_kind(style, h)
        found = self.lineage.choose(i, family, kind) if kind != ROOT else None
        if found is None:
            created = root_created(h)
            if family == MISC:
                self.lineage.remember(ROOT, MISC, (repo_id, 0, created))
            return self._format(i, h, repo_id, ROOT, (), created, self._attributes(family, style, sub, ROOT))
        parents, depth, after = found
        created = derived_created(self.rng.random(), after)
        self.lineage.remember(kind, family, (repo_id, depth, created))
        return self._format(i, h, repo_id, kind, parents, created, self._attributes(family, style, sub, kind))

    def _attributes(self, family: int, style: int, sub: int, kind: int) -> Attrs:
        """A fresh draw for the first _VARIANTS uses of a key, then one of those at random."""
        r = self.rng.random
        key = (family, style, sub, kind)
        variants = self.variants.get(key)
        if variants is None:
            variants = self.variants[key] = []
        if len(variants) < _VARIANTS:
            variants.append(draw_attributes(r, family, style, sub, kind))
            return variants[-1]
        return variants[int(r() * _VARIANTS)]

    def _load_oddities(self, block: int) -> None:
        self_loop, cycle, length, missing = oddities(self.keys.oddity, block)
        self._odd_block = block
        self._odd_set = frozenset((self_loop, missing, *range(cycle, cycle + length)))

    def _oddity(self, i: int, h: int, repo_id: str, family: int, style: int, sub: int) -> dict:
        """A self-loop, a cycle member naming the next member, or a child of a ghost."""
        odd = oddity_kind(self.keys.oddity, i)
        if odd == SELF_LOOP:
            parent = repo_id
        elif odd == CYCLE:
            _, start, length, _ = oddities(self.keys.oddity, i // ODDITY_BLOCK)
            parent = self.namer.repo_id(start + (i - start + 1) % length)
        else:
            parent = ghost_id(self.keys, i)
        kind = style if FINETUNE <= style <= QUANTIZED else FINETUNE
        return self._format(i, h, repo_id, kind, (parent,), root_created(h), self._attributes(family, style, sub, kind))

    def _format(self, i: int, h: int, repo_id: str, kind: int, parents, created: int, attrs: Attrs) -> dict:
        """The record dict, keys in the order the Hub's list API uses."""
        rng = self.rng
        r = rng.random
        if attrs.downloads is None:
            downloads, likes, trending = draw_popularity(r, created)
        else:
            downloads, likes, trending = attrs.downloads, attrs.likes, 0
        gated = attrs.gated
        if gated is None:
            gated = draw_gated(r)
        datasets, arxivs = draw_references(r, attrs)
        typed = None
        if parents and created >= TYPED_SINCE:
            typed = f"base_model:{RELATIONS[kind]}:"
        author, _, name = repo_id.partition("/")
        record: dict[str, object] = {
            # ObjectId-like: the creation second, then h, a bijection of the index.
            "_id": ((created << 64) | h).to_bytes(12, "big").hex(),
            "id": repo_id,
            "author": author,
            "gated": gated,
            "lastModified": iso_time(last_modified(r, created)),
            "likes": likes,
            "trendingScore": trending,
            "private": False,
            "disabled": False,
            "sha": rng.randbytes(20).hex(),
            "downloads": downloads,
            "tags": record_tags(attrs, parents, typed, datasets, arxivs),
        }
        if attrs.pipeline:
            record["pipeline_tag"] = attrs.pipeline
        if attrs.library:
            record["library_name"] = attrs.library
        record["createdAt"] = iso_time(created)
        record["modelId"] = repo_id
        files = attrs.files
        # Fresh dicts per record: a consumer may change one without touching the others.
        record["siblings"] = list(map(dict.copy, files)) if files is not None else gguf_siblings(r, name)
        card = card_data(r, kind, attrs, parents, datasets)
        if card is not None:
            record["cardData"] = card
        return record


def generate(n: int, seed: int = 0) -> Iterator[dict]:
    """Yield `n` synthetic Hub model records; the same (n, seed) gives the same records."""
    if n < 0:
        raise ValueError("n must be >= 0")
    generator = _Generator(n, seed)
    for i in range(n):
        yield generator.record(i)
