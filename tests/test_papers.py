"""`arxiv=` and the paper pages over the first 50,000 real models, against truth read from the JSON.

What cites a paper is its raw `arxiv:<id>` tag; a family is computed here by walking the raw
`base_model:` tags upwards (breadth first, so each ancestor at its shortest distance), with the
rule data/papers.py documents: the farthest ancestor, then the most downloaded, then the first
lower-cased id; none, the model itself.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from data.papers import FAMILIES_SHOWN, MEMBERS_SHOWN
from tests.search_truth import truth
from tests.test_ingest_shared import LINEAGE_TAG, pages

PAGES = 50


@dataclass
class Raw:
    repo_id: str
    downloads: int
    pipeline_tag: str | None
    papers: set[str]  # the ids of its `arxiv:` tags, as tagged
    parents: set[str]  # lower-cased ids of its base models, itself excluded


@pytest.fixture(scope="module")
def raw(real_db) -> dict[str, Raw]:
    """The models of the JSON pages that the catalog holds, by lower-cased id."""
    with real_db.session(read_only=True) as session:
        stored = {repo_id.lower() for repo_id in session.execute(text("SELECT repo_id FROM models")).scalars()}
    found = {}
    for path in pages(PAGES):
        for record in json.loads(gzip.decompress(path.read_bytes())):
            key = record["id"].lower()
            if key not in stored:
                continue
            tags = set(record.get("tags") or [])
            found[key] = Raw(
                record["id"],
                record.get("downloads") or 0,
                record.get("pipeline_tag"),
                {tag.removeprefix("arxiv:") for tag in tags if tag.startswith("arxiv:")},
                {m[1].strip().lower() for tag in tags if (m := LINEAGE_TAG.match(tag))} - {key},
            )
    assert len(found) > 45_000
    return found


def citing(raw: dict[str, Raw], paper: str) -> set[str]:
    return {model.repo_id for model in raw.values() if paper in model.papers}


def most_cited(raw: dict[str, Raw], count: int) -> list[str]:
    cited = Counter(paper for model in raw.values() for paper in model.papers)
    return [paper for paper, _ in cited.most_common(count)]


def family_of(raw: dict[str, Raw], key: str) -> str:
    """The root of `key`'s family: its farthest ancestor in the catalog, by the documented ties."""
    depth: dict[str, int] = {key: 0}
    level = [key]
    while level:
        following = []
        for child in level:
            for parent in raw[child].parents:
                if parent in raw and parent not in depth:
                    depth[parent] = depth[child] + 1
                    following.append(parent)
        level = following
    del depth[key]
    if not depth:
        return raw[key].repo_id
    best = min(depth, key=lambda a: (-depth[a], -raw[a].downloads, a))
    return raw[best].repo_id


def grouping(raw: dict[str, Raw], paper: str) -> list[tuple[str, int, list[str]]]:
    """(root, models, most-downloaded models) per family, in the page's order."""
    families: dict[str, list[Raw]] = defaultdict(list)
    for key, model in raw.items():
        if paper in model.papers:
            families[family_of(raw, key)].append(model)
    ordered = sorted(
        families.items(), key=lambda item: (-len(item[1]), -max(m.downloads for m in item[1]), item[0].lower())
    )
    return [
        (root, len(members), [m.repo_id for m in sorted(members, key=lambda m: (-m.downloads, m.repo_id.lower()))])
        for root, members in ordered
    ]


def search_ids(client, **params) -> set[str]:
    found: set[str] = set()
    cursor = None
    while True:
        answer = client.get(
            "/api/v1/models", query_string={**params, "per_page": 100, **({"cursor": cursor} if cursor else {})}
        )
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        found |= {model["id"] for model in body["data"]}
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            return found


def test_the_arxiv_filter_finds_exactly_the_models_tagged_with_the_paper(real_client, raw):
    papers = most_cited(raw, 40)
    for paper in papers[:3] + papers[-3:]:
        assert search_ids(real_client, arxiv=paper) == citing(raw, paper), paper
    # any of several, in other spellings
    a, b = papers[5], papers[20]
    either = search_ids(real_client, arxiv=[f"https://arxiv.org/abs/{a}v3", f"arXiv:{b}"])
    assert either == citing(raw, a) | citing(raw, b)


def test_the_arxiv_filter_combines_with_the_others(real_client, raw):
    paper = most_cited(raw, 1)[0]
    task, _ = Counter(m.pipeline_tag for m in raw.values() if paper in m.papers and m.pipeline_tag).most_common(1)[0]
    with_task = search_ids(real_client, arxiv=paper, pipeline_tag=task)
    assert with_task == {m.repo_id for m in raw.values() if paper in m.papers and m.pipeline_tag == task}
    assert 0 < len(with_task) < len(citing(raw, paper))


@pytest.mark.parametrize("sort", ["relevance", "downloads", "likes"])
def test_the_arxiv_filter_combines_with_id_words_in_every_plan(real_client, raw, raw_models, sort):
    """Id words and papers are both tested on the rows a walk meets, or gathered by their indexes."""
    for paper in most_cited(raw, 30)[::6]:
        for words in ("7b", "llama", "bert base"):
            expected = citing(raw, paper) & truth(raw_models, words)
            assert search_ids(real_client, q=words, arxiv=paper, sort=sort) == expected, (paper, words)


def test_the_arxiv_facet_counts_the_papers_of_the_result(real_client, raw):
    for params in ({}, {"q": "llama"}):
        answer = real_client.get("/api/v1/models", query_string={**params, "facets": "arxiv"}).get_json()
        counted = {row["value"]: row["count"] for row in answer["meta"]["facets"]["arxiv"]}
        scope = search_ids(real_client, **params) if params else {m.repo_id for m in raw.values()}
        truth = Counter(p for m in raw.values() if m.repo_id in scope for p in m.papers)
        assert len(counted) == 10
        if answer["meta"]["facets_exact"]:
            assert counted == {paper: truth[paper] for paper in counted}
            assert min(counted.values()) >= sorted(truth.values())[-10]


MALFORMED = ["2106.9685", "1913.00001", "arxiv:", "hep-th/99013", "llama", "2106.09685/x", "arxiv.org/abs/x"]


@pytest.mark.parametrize("bad", MALFORMED)
def test_a_malformed_arxiv_id_is_a_400_naming_the_parameter(real_client, bad):
    for path, params, parameter in (("/api/v1/models", {"arxiv": bad}, "arxiv"), (f"/api/v1/papers/{bad}", {}, "id")):
        answer = real_client.get(path, query_string=params)
        assert answer.status_code == 400, (path, answer.get_json())
        error = answer.get_json()["error"]
        assert (error["code"], error["details"]["parameter"]) == ("INVALID_PARAMETER", parameter)


def test_the_dashboard_ignores_a_malformed_arxiv_id_and_keeps_the_good_ones():
    from data.query import parse_query

    pairs = [("arxiv", bad) for bad in MALFORMED] + [("arxiv", "https://arxiv.org/pdf/2106.09685v2.pdf")]
    assert parse_query(pairs, strict=False).arxiv == ["2106.09685"]


def test_the_paper_page_groups_its_models_by_family(real_client, raw):
    papers = most_cited(raw, 200)
    checked = 0
    for paper in papers[:2] + papers[100:103]:
        truth = grouping(raw, paper)
        answer = real_client.get(f"/api/v1/papers/arXiv:{paper}v1")
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        data = body["data"]
        assert data["arxiv_id"] == paper
        assert data["models"] == len(citing(raw, paper))
        assert data["families"] == len(truth)
        got = [(f["root"], f["models"], [m["id"] for m in f["top_models"]]) for f in data["top_families"]]
        assert got == [(root, n, members[:MEMBERS_SHOWN]) for root, n, members in truth[:FAMILIES_SHOWN]]
        assert search_ids(real_client, arxiv=paper) == citing(raw, paper)
        assert f"arxiv={paper}" in body["meta"]["search"]
        checked += any(root not in members for root, _, members in truth)  # a root not citing it
    assert checked  # some family is named by an ancestor that does not cite the paper


def test_a_paper_nobody_cites_is_a_404(real_client, raw):
    cited = {p for m in raw.values() for p in m.papers}
    paper = next(p for p in (f"2401.{n:05d}" for n in range(1, 99_999)) if p not in cited)
    answer = real_client.get(f"/api/v1/papers/{paper}")
    assert answer.status_code == 404
    assert answer.get_json()["error"] == {
        "code": "PAPER_NOT_FOUND",
        "message": f"No model in the catalog cites arXiv paper {paper}.",
        "details": {"id": paper},
    }


def test_the_model_page_links_its_arxiv_tags_to_the_paper_pages(real_db, raw):
    from components import routes
    from components.model_page import overview
    from data.catalog import model_detail
    from tests.dash_tree import hrefs

    model = next(m for m in sorted(raw.values(), key=lambda m: -m.downloads) if len(m.papers) >= 2)
    with real_db.session(read_only=True) as session:
        detail = model_detail(session, model.repo_id)
    assert {routes.paper_href(paper) for paper in model.papers} <= set(hrefs(overview(detail)))
