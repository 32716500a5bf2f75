"""Component ids: each built by `of` from a page and a name, so none is typed by hand twice.

Ids shared by pages are here; ids used by one page only live at the top of that page's
components module, built with `of`.
"""


def of(page: str, name: str) -> str:
    """The id of `name` on `page`: of("search", "q") is "search-q"."""
    return f"{page}-{name}"


URL = "url"
PAGE = "page"
TITLE = of("page", "title")
TITLE_SINK = of("page", "title-sink")
NAV_TOGGLER = of("nav", "toggler")
NAV_COLLAPSE = of("nav", "collapse")
LIVE_EVENT = of("live", "event")  # the catalog's latest change, set by assets/live.js
LIVE_CONFIG = of("live", "config")  # where and how often assets/live.js asks
LIVE_STATUS = of("live", "status")  # the navbar's "Live" / "Live (polling)"
