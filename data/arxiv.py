"""arXiv paper ids: what `arxiv=` accepts, and the Hub tag that cites a paper.

The Hub tags a model citing a paper `arxiv:<id>` (`arxiv:2106.09685`). People paste ids in
many spellings; each is read to the one id the tag holds: `2106.09685`, `arXiv:2106.09685`,
`https://arxiv.org/abs/2106.09685v2` and `…/pdf/2106.09685v2.pdf` are all `2106.09685`. Both
of arXiv's schemes are ids: YYMM.NNNNN (since 2007) and archive[.CLASS]/YYMMNNN
(`hep-th/9901001`, `math.GT/0309136`).
"""

from __future__ import annotations

import re

TAG_PREFIX = "arxiv:"
URL_PREFIX = re.compile(r"^(?:https?:/+)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", re.IGNORECASE)
NEW_STYLE = re.compile(r"(?P<month>\d{2}(?:0[1-9]|1[0-2]))\.(?P<number>\d{4,5})")
FIVE_DIGITS_FROM = "1501"  # numbers have five digits from January 2015, four before
OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)*)(?P<subject>\.[a-z]{2})?/(?P<number>\d{2}(?:0[1-9]|1[0-2])\d{3})"
)
VERSION = re.compile(r"v\d+$", re.IGNORECASE)
EXPECTED = "an arXiv id such as 2106.09685, arxiv:2106.09685, https://arxiv.org/abs/2106.09685v2 or hep-th/9901001"


def arxiv_id(value: str) -> str:
    """The canonical id of a paper from any of its spellings; ValueError when it is none."""
    text = URL_PREFIX.sub("", value.strip())
    if text[: len(TAG_PREFIX)].lower() == TAG_PREFIX:
        text = text[len(TAG_PREFIX) :].strip()
    text = VERSION.sub("", text.removesuffix(".pdf"))
    if (new := NEW_STYLE.fullmatch(text)) and (len(new["number"]) == 5) == (new["month"] >= FIVE_DIGITS_FROM):
        return text
    if old := OLD_STYLE.fullmatch(text.lower()):
        subject = (old["subject"] or "").upper()  # math.GT: the class is upper case
        return f"{old['archive']}{subject}/{old['number']}"
    raise ValueError(EXPECTED)


def paper_tag(paper: str) -> str:
    """The tag of models citing `paper` (a canonical id)."""
    return TAG_PREFIX + paper


def cited_paper(tag: str) -> str | None:
    """The paper a tag cites, when it is an `arxiv:` tag holding a well-formed id."""
    if not tag.startswith(TAG_PREFIX):
        return None
    try:
        paper = arxiv_id(tag)
    except ValueError:
        return None
    return paper if paper_tag(paper) == tag else None
