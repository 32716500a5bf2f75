"""Codes shared by every part of the generator: record kinds, name styles, the misc family."""

from __future__ import annotations

from data.vocabulary import RELATION_TYPES

# Record kinds. The derivative kinds double as indexes into RELATIONS.
ROOT, FINETUNE, ADAPTER, QUANTIZED, MERGE = range(5)
SELF_LOOP, CYCLE, MISSING = range(5, 8)  # oddities (see identity.oddities)
RELATIONS = (None, *RELATION_TYPES)  # the Hub's, by kind (their order is the kinds')

# Name styles of table entries. Styles 1-4 suggest that relation; GENERIC and ORG are roots.
GENERIC, ORG = 0, 5

MISC = -1  # family of derivatives of ordinary (non-foundation) roots
