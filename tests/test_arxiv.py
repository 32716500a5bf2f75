"""arXiv ids in the spellings people paste, read to the id the Hub's `arxiv:` tag holds."""

import pytest

from data.arxiv import arxiv_id, cited_paper

SPELLINGS = {
    "2106.09685": "2106.09685",
    " arxiv:2106.09685 ": "2106.09685",
    "arXiv:2106.09685v2": "2106.09685",
    "https://arxiv.org/abs/2106.09685v2": "2106.09685",
    "http://www.arxiv.org/pdf/2106.09685v1.pdf": "2106.09685",
    "arxiv.org/abs/0704.0001": "0704.0001",
    "https:/arxiv.org/abs/2106.09685": "2106.09685",  # a path whose // was merged
    "1501.00001": "1501.00001",
    "1412.6980": "1412.6980",
    "hep-th/9901001": "hep-th/9901001",
    "arXiv:hep-th/9901001v3": "hep-th/9901001",
    "math.gt/0309136": "math.GT/0309136",
    "https://arxiv.org/abs/math.GT/0309136": "math.GT/0309136",
}


@pytest.mark.parametrize(("spelling", "canonical"), SPELLINGS.items())
def test_every_spelling_reads_to_the_tagged_id(spelling, canonical):
    assert arxiv_id(spelling) == canonical


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "arxiv:",
        "2106",
        "2106.096",
        "2106.9685",
        "1412.69800",
        "2113.09685",
        "2100.09685",
        "hep-th/990100",
        "hep_th/9901001",
        "x2106.09685",
    ],
)
def test_what_is_no_id_is_refused(bad):
    with pytest.raises(ValueError, match="arXiv id"):
        arxiv_id(bad)


def test_only_well_formed_arxiv_tags_cite_a_paper():
    assert cited_paper("arxiv:2106.09685") == "2106.09685"
    assert cited_paper("arxiv:hep-th/9901001") == "hep-th/9901001"
    for tag in ("arxiv: 2310.16609", "arxiv:2106.09685v2", "license:mit", "arxiv:nonsense"):
        assert cited_paper(tag) is None


def test_arxiv_and_has_card_read_back_from_their_canonical_string():
    from urllib.parse import parse_qsl

    from data.query import parse_query, query_string

    query = parse_query(
        [("arxiv", "https://arxiv.org/abs/2106.09685v2"), ("arxiv", "math.gt/0309136"), ("has_card", "false")]
    )
    written = query_string(query)
    assert written == "arxiv=2106.09685&arxiv=math.GT%2F0309136&has_card=false"
    assert parse_query(parse_qsl(written)) == query
