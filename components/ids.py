"""Component ids, defined once so that layouts and callbacks cannot disagree."""

URL = "url"
PAGE = "page"
SEARCH_RESULTS = "search-results"
