"""The dashboard's paths and every href to them, each path said once.

Ids in a path are quoted here, all the same way (a repo id keeps its "/"); the router unquotes
them (callbacks/router.py). Imported by components, callbacks and the app alike: it holds no Dash.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, unquote, urlencode, urlsplit

from data.compare import ids_text
from data.query import SearchQuery, query_string

SEARCH = "/"
TRENDING = "/trending"
ANALYTICS = "/analytics"
MODELS = "/models/"  # + a repo id
AUTHORS = "/authors/"  # + an author
PAPERS = "/papers/"  # + an arXiv id (an old-style one keeps its "/")
LOGIN = "/login"
SIGNUP = "/signup"
ACCOUNT = "/account"
ACCOUNT_KEYS = f"{ACCOUNT}#api-keys"
COLLECTIONS = "/collections"  # yours; + "/" + an id: one collection (public, or yours)
LIVE = "/live"  # newly arrived models, as they arrive; ?<query string> narrows them
COMPARE = "/compare"  # ?ids=a,b,c: 2 to 6 models side by side (data/compare.py)
SAVED_SEARCHES = "/searches"  # ?save=<query string> to save one, ?show=<id> to see what is new
API = "/api/v1"
API_DOCS = f"{API}/docs"
API_GRAPHQL = "/api/graphql"  # beside /api/v1: GraphiQL in a browser (app/graphql)
API_MODELS = f"{API}/models"
API_PAPERS = f"{API}/papers/"
API_COMPARE = f"{API}/compare"
ADMIN_HOME = "/admin"  # the first section's page
ADMIN = "/admin/"  # + a section of ADMIN_SECTIONS
ADMIN_SECTIONS = ("users", "jobs", "audit")
ADMIN_USERS, ADMIN_JOBS, ADMIN_AUDIT = (ADMIN + section for section in ADMIN_SECTIONS)
API_ADMIN_AUDIT = f"{API}/admin/audit"
API_AUTH = f"{API}/auth"
API_LOGIN = f"{API_AUTH}/login"
API_SIGNUP = f"{API_AUTH}/signup"
API_LOGOUT = f"{API_AUTH}/logout"
API_OIDC_LOGIN = f"{API_AUTH}/oidc/login"
API_MY_KEYS = f"{API}/me/keys"
API_SEARCH_FEEDS = f"{API}/feeds/searches/"  # + a saved search's feed token
API_LIVE = f"{API}/live"  # the catalog's latest change: what browsers poll without a stream
API_LIVE_STREAM = f"{API_LIVE}/stream"  # the same, pushed as Server-Sent Events
MAX_NEXT_LENGTH = 2_000
HUB = "https://huggingface.co"

NO_FILTERS = SearchQuery()  # frozen: one instance serves as every default


def search_string(query_text: str) -> str:
    """The address bar's `search` for a query string: "?…", or "" for none."""
    query_text = query_text.removeprefix("?")
    return f"?{query_text}" if query_text else ""


def href(path: str, query_text: str = "") -> str:
    """`path` with its query string, if it has one ("?…" or "…")."""
    return path + search_string(query_text)


def search_href(query: SearchQuery = NO_FILTERS, **changes) -> str:
    return href(SEARCH, query_string(query, **changes))


def analytics_href(query: SearchQuery = NO_FILTERS, **changes) -> str:
    return href(ANALYTICS, query_string(query, **changes))


def api_models_href(query: SearchQuery, *, format: str | None = None, **changes) -> str:
    """The API's answer to the same query string; `format` after the grammar's parameters."""
    parts = [query_string(query, **changes), urlencode({"format": format}) if format else ""]
    return href(API_MODELS, "&".join(part for part in parts if part))


def model_href(repo_id: str, query_text: str = "") -> str:
    return href(f"{MODELS}{quote(repo_id)}", query_text)


def compare_href(repo_ids: Sequence[str], path: str = COMPARE, export: str | None = None) -> str:
    """The comparison of these models (`ids=a,b,c`, commas and slashes left readable)."""
    pairs = [("ids", ids_text(repo_ids)), *([("format", export)] if export else [])]
    return href(path, urlencode(pairs, safe=",/"))


def api_compare_href(repo_ids: Sequence[str], export: str | None = None) -> str:
    return compare_href(repo_ids, API_COMPARE, export)


def author_href(author: str) -> str:
    return f"{AUTHORS}{quote(author, safe='')}"


def paper_href(paper: str) -> str:
    return f"{PAPERS}{quote(paper)}"


def api_paper_href(paper: str) -> str:
    return f"{API_PAPERS}{quote(paper)}"


def paper_search_href(paper: str) -> str:
    """The search of the models citing `paper`."""
    return search_href(arxiv=[paper])


def repo_id_in(pathname: str) -> str:
    """The repo id of a model page's path ("" for any other path): the inverse of `model_href`."""
    path = unquote(pathname).rstrip("/")
    return path.removeprefix(MODELS) if path.startswith(MODELS) else ""


def hub_href(*parts: str) -> str:
    """A page of the Hub: a repo id, an author, or ("datasets", a dataset id)."""
    return "/".join([HUB, *map(quote, parts)])


def local_path(value: object, default: str = ACCOUNT) -> str:
    """`value` when it is a path on this site, else `default`: a `?next=` never leads elsewhere.
    Browsers read "//host" and "/\\host" as other sites, so neither passes."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_NEXT_LENGTH:
        return default
    if value.startswith("//") or "\\" in value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return default
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else default


def save_search_href(query: SearchQuery, name: str = "") -> str:
    """The page that saves the search of `query` (without its page), `name` offered for it."""
    saved = {"save": query_string(query, page=1, cursor=None, facets=[])}
    return href(SAVED_SEARCHES, urlencode({**saved, "name": name} if name else saved))


def watch_model_href(repo_id: str, relation: str | None = None, label: str = "derivatives") -> str:
    """Saving the search of the model's new derivatives at any depth (of one relation): a watch."""
    query = SearchQuery(descendant_of=repo_id, relation=[relation] if relation else [], sort="created")
    return save_search_href(query, f"New {label.lower()} of {repo_id}")


def watch_author_href(author: str) -> str:
    return save_search_href(SearchQuery(author=[author], sort="created"), f"New models by {author}")


def collection_href(collection_id: int) -> str:
    return f"{COLLECTIONS}/{collection_id}"


def api_collection_href(collection_id: int, export: str = "json") -> str:
    path = f"{API}/collections/{collection_id}"
    return href(path, "format=csv") if export == "csv" else path


def search_feed_href(feed_token: str) -> str:
    return API_SEARCH_FEEDS + quote(feed_token, safe="")


def saved_search_news_href(search_id: int) -> str:
    return href(SAVED_SEARCHES, urlencode({"show": search_id}))


def login_href(next_path: str = ACCOUNT) -> str:
    return href(LOGIN, urlencode({"next": local_path(next_path)}))


def signup_href(next_path: str = ACCOUNT) -> str:
    return href(SIGNUP, urlencode({"next": local_path(next_path)}))


def oidc_login_href(next_path: str = ACCOUNT) -> str:
    return href(API_OIDC_LOGIN, urlencode({"next": local_path(next_path)}))


def admin_audit_href(filters: dict[str, str]) -> str:
    """The audit page with `filters` (the API's parameter names: the same link both ways)."""
    return href(ADMIN_AUDIT, urlencode(sorted(filters.items())))


def api_audit_csv_href(filters: dict[str, str]) -> str:
    return href(API_ADMIN_AUDIT, urlencode([*sorted(filters.items()), ("format", "csv")]))
