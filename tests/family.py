"""The lineage family of tests/fixtures/family.json (Hub list records), loaded in one place.

`family_records()` returns a fresh list on every call: tests change records in place.
The `family_db` fixture of tests/conftest.py is the shared database with the family ingested.
"""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
FAMILY_JSON = FIXTURES / "family.json"


def family_records() -> list[dict]:
    return json.loads(FAMILY_JSON.read_text())
