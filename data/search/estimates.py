"""How many models a search matches: counted when that is cheap, else estimated (and said so).

The planner's estimates come from EXPLAIN with the values inlined (no generic plan), using
the trigram-friendly statistics of `model_search.key` (migration 0009). The planner takes
conditions for independent; words typed together are anything but, so the fewest rows any
one condition matches bounds the result from above.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from data.counting import catalog_size, sampled_count
from data.models import SearchRow

EXACT_COUNT_BELOW = 1_000  # possible matches up to which a count is exact (~6 µs a match)


MEMO = "search_estimates"  # session.info key: estimates made during one search (see `remembered`)


@contextmanager
def remembered(session: Session) -> Iterator[None]:
    """Within the block, an estimate asked for twice (plan, then total) is made once."""
    session.info[MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(MEMO, None)


def estimate_rows(session: Session, conditions: list[ColumnElement]) -> int:
    """The planner's row estimate for `conditions` (EXPLAIN costs well under a millisecond)."""
    memo = session.info.get(MEMO)
    key = tuple(id(condition) for condition in conditions)  # the conditions live as long as the memo
    if memo is not None and key in memo:
        return memo[key]
    found = _explained_rows(session, conditions)
    if memo is not None:
        memo[key] = found
    return found


def models_in_catalog(session: Session) -> int:
    """`catalog_size`, asked once a search."""
    memo = session.info.get(MEMO)
    if memo is None:
        return catalog_size(session)
    if "catalog_size" not in memo:
        memo["catalog_size"] = catalog_size(session)
    return memo["catalog_size"]


def _explained_rows(session: Session, conditions: list[ColumnElement]) -> int:
    connection = session.connection()
    compiled = select(SearchRow.id).where(*conditions).compile(connection, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def upper_bound(session: Session, conditions: list[ColumnElement], estimate: int) -> int:
    """At least the planner's estimate, raised to the fewest rows any one condition matches."""
    if len(conditions) < 2:
        return estimate
    return max(estimate, min(estimate_rows(session, [condition]) for condition in conditions))


def expected_matches(session: Session, conditions: list[ColumnElement]) -> int:
    """How many rows may match, erring high."""
    return upper_bound(session, conditions, estimate_rows(session, conditions)) if conditions else 0


def count(
    session: Session, conditions: list[ColumnElement], estimate: int | None = None, most: int | None = None
) -> tuple[int, bool]:
    """(total, exact): exact when at most EXACT_COUNT_BELOW rows may match, else estimated
    from the planner (one condition) or a block sample (several, which it takes for independent)."""
    if estimate is None:
        estimate = estimate_rows(session, conditions)
    if most is None:
        most = upper_bound(session, conditions, estimate)
    if most >= EXACT_COUNT_BELOW:
        return (
            sampled_count(session, conditions, models_in_catalog(session)) if len(conditions) > 1 else estimate
        ), False
    return session.execute(select(func.count()).select_from(SearchRow).where(*conditions)).scalar_one(), True


def capped_count(session: Session, conditions: list[ColumnElement], cap: int) -> int:
    capped = select(SearchRow.id).where(*conditions).limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()
