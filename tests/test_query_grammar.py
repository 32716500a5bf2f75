"""Property tests of the query grammar: what is written is read back the same."""

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from data.query import FACETS, ORDERS, SORTS, SearchQuery, parse_query, query_string
from data.vocabulary import RELATION_TYPES

words = (
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
values = st.lists(words, max_size=3, unique=True)

queries = st.builds(
    SearchQuery,
    q=st.none() | words,
    author=values,
    pipeline_tag=values,
    library=values,
    license=values,
    language=values,
    dataset=values,
    tag=values,
    base_model=st.none() | words,
    relation=st.lists(st.sampled_from(RELATION_TYPES), max_size=2, unique=True),
    gated=st.none() | st.booleans(),
    has_base_model=st.none() | st.booleans(),
    created_from=st.none() | st.dates(),
    created_to=st.none() | st.dates(),
    min_downloads=st.none() | st.integers(0, 10**12),
    min_likes=st.none() | st.integers(0, 10**9),
    sort=st.none() | st.sampled_from(SORTS),
    order=st.sampled_from(ORDERS),
    per_page=st.integers(1, 100),
    page=st.integers(1, 10_000),
    facets=st.lists(st.sampled_from(FACETS), max_size=3, unique=True),
)


def canonical(query: SearchQuery) -> SearchQuery:
    """The same query with list values in the order the canonical string writes them."""
    return query.model_copy(
        update={
            name: sorted(getattr(query, name))
            for name, field in SearchQuery.model_fields.items()
            if isinstance(getattr(query, name), list) and name != "facets"
        }
    )


@settings(max_examples=300, deadline=None)
@given(queries)
def test_written_queries_read_back_the_same(query):
    written = query_string(query)
    assert parse_query(parse_qsl(written, keep_blank_values=True)) == canonical(query)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_the_canonical_string_is_a_fixed_point(query):
    written = query_string(query)
    assert query_string(parse_query(parse_qsl(written))) == written


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*SearchQuery.model_fields, "junk"]), st.text(max_size=40)), max_size=12))
def test_tolerant_parsing_never_fails(pairs):
    parse_query(pairs, strict=False)
