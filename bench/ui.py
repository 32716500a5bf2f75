"""UI benchmark: the dashboard in headless Chromium against a live server over a filled catalog.

    python bench/ui.py --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench [--repeat 15]

Starts the app like bench/api.py (gunicorn, 2 workers, rate limit off) and one Chromium
(1400x1000), then measures each kind `--repeat` times and prints median and p95 in ms beside
its target:

- cold filtered URL: a fresh page load of `/?pipeline_tag=…&library=…&q=…` (a different real
  task, library and word from the catalog each time) until the results grid has rows and the
  total is shown; timed in the browser as `performance.now()`, i.e. from the navigation's start.
- change sort / change order / new search word: on a loaded search page (a fresh query each
  time), pick another value of `#search-sort` or `#search-order` (a change event fired in the
  page), or type a new word into `#search-q` and press Enter (typed by Selenium); timed in the
  browser from the change (or the Enter keydown) until the grid's rows (or the empty state) in
  `#search-results` show other content.
- model page, models like this: `/models/<id>` of a sampled real model until its "Models like
  this" list (filled by a callback after the page) is shown; compare 4 models: `/compare?ids=`
  of four sampled models until the comparison table is drawn; both from the navigation's start.
- lineage, largest families: `/models/<id>?tab=lineage` for the three models with the most
  descendants (the `lineage_counts` view), in turn, until the cytoscape graph has nodes;
  timed from the navigation's start.

Static assets stay in the browser's cache between loads (a returning visitor); the server
answers every search afresh (Dash callbacks are not cached; PostgreSQL's buffers are warm).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import urllib.parse
from collections import Counter

from browser import GRAPH_DRAWN, RESULTS_SHOWN, ROOT, chromium, serve, wait_for
from sqlalchemy import create_engine, text

TARGETS = {  # kind: (statistic, ms)
    "cold filtered URL": ("median", 1500),
    "change sort": ("p95", 300),
    "change order": ("p95", 300),
    "new search word": ("p95", 300),
    "lineage, largest families": ("median", 1000),
    "model page, models like this": ("median", 1500),
    "compare 4 models": ("median", 1500),
}
SORTS = ["likes", "created", "updated", "quality"]  # each unlike the default order (relevance, then downloads)
# In the page: its models-like-this list (or the not-trained note) and the comparison table shown.
SIMILAR_SHOWN = "!!document.querySelector('.model-similar .similar-list, .model-similar .similar-not-trained')"
COMPARED = "!!document.querySelector('.compare-table .compare-model')"
WORD = re.compile(r"[a-z]{3,}")


def samples(url: str, count: int) -> dict:
    """Real (task, library, word) triples, each known to match at least the model it came from:
    "popular" with one of the 40 words most common in model names, "anything" with another word
    (fewer matches); "retyped": (triple, a common word that also matches under its task and
    library); the three largest families."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                text(
                    "SELECT repo_id, pipeline_tag, library_name FROM models TABLESAMPLE SYSTEM (2)"
                    " WHERE pipeline_tag IS NOT NULL AND library_name IS NOT NULL LIMIT 20000"
                )
            )
        )
        families = list(
            conn.execute(
                text(
                    "SELECT m.repo_id, sum(c.descendants) AS n FROM lineage_counts c JOIN models m ON m.id = c.ancestor"
                    " GROUP BY m.repo_id ORDER BY n DESC LIMIT 3"
                )
            )
        )
    engine.dispose()
    triples = [
        (task, library, word)
        for repo_id, task, library in rows
        for word in set(WORD.findall(repo_id.split("/", 1)[-1].lower()))
    ]
    frequency = Counter(word for _, _, word in triples)
    common = {word for word, _ in frequency.most_common(40)}
    rng = random.Random(7)
    rng.shuffle(triples)
    seen: set[tuple] = set()
    popular = [t for t in triples if t[2] in common and not (t in seen or seen.add(t))]
    anything = [t for t in triples if t[2] not in common and not (t in seen or seen.add(t))]
    if min(len(popular), len(anything)) < count:
        sys.exit(f"too few sample models with a task and a library ({len(popular)}, {len(anything)})")
    words_for: dict[tuple, list[str]] = {}  # (task, library): common words known to match under them
    for task, library, word in popular:
        words_for.setdefault((task, library), []).append(word)
    retyped = [
        ((task, library, word), words_for[task, library][0])
        for task, library, word in anything[count:]
        if words_for.get((task, library))
    ]
    if len(retyped) < count:
        sys.exit(f"too few sample models to retype a search ({len(retyped)})")
    return {
        "popular": popular[:count],
        "anything": anything[:count],
        "retyped": retyped[:count],
        "families": [(repo_id, int(n)) for repo_id, n in families],
        "models": [repo_id for repo_id, _, _ in rows[: 4 * count]],
    }


def search_path(task: str, library: str, word: str) -> str:
    pairs = [("pipeline_tag", task), ("library", library), ("q", word)]
    return "/?" + urllib.parse.urlencode(pairs)


def load(driver, url: str, condition: str, timeout: float = 20) -> float:
    """ms from the start of the navigation to `url` until `condition`."""
    driver.get(url)
    return wait_for(driver, condition, timeout)


# In the page: the text of the grid's rows (or of the empty state), to tell when the results change.
RESULTS_TEXT = """
const results = () => {
    const el = document.getElementById('search-results');
    if (!el) return null;
    const shown = el.querySelectorAll('.results-grid .ag-center-cols-container, #search-empty');
    return [...shown].map(e => e.textContent).join('|');
};
"""

# In the page: fire a change on a <select> and time until the grid's rows (or the empty state) change.
CHANGE_SELECT = (
    RESULTS_TEXT
    + """
const [selector, value, timeout, done] = arguments;
const before = results();
const select = document.querySelector(selector);
let finished = false;
const observer = new MutationObserver(check);
function finish(value) { if (!finished) { finished = true; observer.disconnect(); done(value); } }
function check() { const now = results(); if (now !== null && now !== before) finish(performance.now() - started); }
observer.observe(document, {subtree: true, childList: true, characterData: true});
const started = performance.now();
select.value = value;
select.dispatchEvent(new Event('change', {bubbles: true}));
setTimeout(() => finish(null), timeout);
"""
)

# In the page: note the time of the next Enter in the search box and of the next change of the results.
WATCH_TYPING = (
    RESULTS_TEXT
    + """
const before = results();
window.__bench = {enter: null, changed: null};
document.getElementById('search-q').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && window.__bench.enter === null) window.__bench.enter = performance.now();
});
const observer = new MutationObserver(() => {
    const now = results();
    if (window.__bench.enter !== null && now !== null && now !== before) {
        window.__bench.changed = performance.now(); observer.disconnect();
    }
});
observer.observe(document, {subtree: true, childList: true, characterData: true});
"""
)


def change_select(driver, selector: str, value: str, timeout: float = 20) -> float:
    elapsed = driver.execute_async_script(CHANGE_SELECT, selector, value, timeout * 1000)
    if elapsed is None:
        raise TimeoutError(f"the results did not change after {selector} → {value}")
    return elapsed


def type_word(driver, word: str, timeout: float = 20) -> float:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "search-q")
    box.send_keys(Keys.CONTROL, "a")  # select the old word, so that typing replaces it
    driver.execute_script(WATCH_TYPING)
    box.send_keys(word, Keys.ENTER)
    wait_for(driver, "window.__bench && window.__bench.changed !== null", timeout)
    return driver.execute_script("return window.__bench.changed - window.__bench.enter")


def loaded_search(driver, base: str, query: tuple) -> None:
    """A search page with its results shown and nothing loading any more (facets included)."""
    driver.get(base + search_path(*query))
    wait_for(driver, RESULTS_SHOWN, 20, settle=True)


def run(base: str, found: dict, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {kind: [] for kind in TARGETS}
    failures: Counter = Counter()
    popular, anything, retyped = iter(found["popular"]), iter(found["anything"]), iter(found["retyped"])
    with chromium() as driver:
        driver.get(base + "/")  # the app's assets into the browser's cache
        wait_for(driver, RESULTS_SHOWN, 30, settle=True)

        def attempt(kind: str, measure, *args) -> None:
            """`measure(*args)` now, its time under `kind`; a timeout is counted, not raised."""
            try:
                times[kind].append(measure(*args))
            except TimeoutError as error:
                failures[kind] += 1
                print(f"  {kind}: {error}", file=sys.stderr)

        def sort_change(sort: str) -> float:
            loaded_search(driver, base, next(popular))  # many models: another order shows others
            return change_select(driver, "#search-sort", sort)

        def order_change() -> float:
            loaded_search(driver, base, next(popular))
            return change_select(driver, "#search-order", "asc")

        def new_word() -> float:
            query, word = next(retyped)
            loaded_search(driver, base, query)
            return type_word(driver, word)

        for i in range(repeat):
            query = next(popular if i % 2 else anything)
            attempt("cold filtered URL", load, driver, base + search_path(*query), RESULTS_SHOWN)
            attempt("change sort", sort_change, SORTS[i % len(SORTS)])
            attempt("change order", order_change)
            attempt("new search word", new_word)
            family = found["families"][i % len(found["families"])][0]
            attempt("lineage, largest families", load, driver, f"{base}/models/{family}?tab=lineage", GRAPH_DRAWN)
            models = found["models"][4 * i : 4 * i + 4]
            attempt("model page, models like this", load, driver, f"{base}/models/{models[0]}", SIMILAR_SHOWN)
            attempt("compare 4 models", load, driver, f"{base}/compare?ids={','.join(models)}", COMPARED)
    for kind, count in failures.items():
        print(f"{kind}: {count} of {repeat} timed out", file=sys.stderr)
    return times


def report(times: dict[str, list[float]]) -> None:
    print(f"{'kind':<27} {'n':>3} {'median':>8} {'p95':>8} {'max':>8}  target")
    for kind, values in times.items():
        if not values:
            print(f"{kind:<27} {0:>3}   (no successful run)")
            continue
        median = statistics.median(values)
        p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
        statistic, limit = TARGETS[kind]
        value = median if statistic == "median" else p95
        verdict = "ok" if value < limit else "MISSED"
        print(
            f"{kind:<27} {len(values):>3} {median:8.0f} {p95:8.0f} {max(values):8.0f}  "
            f"{statistic} < {limit:,} ms: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=15, help="measurements of each kind")
    parser.add_argument("--app-dir", default=str(ROOT), help="the checkout to serve (default: this one)")
    args = parser.parse_args()
    found = samples(args.database_url, 3 * args.repeat)
    with serve(args.database_url, app_dir=args.app_dir) as base:
        print("families:", ", ".join(f"{repo_id} ({n:,} descendants)" for repo_id, n in found["families"]))
        print("times in ms, measured in the browser (performance.now())")
        report(run(base, found, args.repeat))


if __name__ == "__main__":
    main()
