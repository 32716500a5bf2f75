"""Component ids shared by pages, defined once so that layouts and callbacks cannot disagree.

Ids used by one page only live at the top of that page's components module.
"""

URL = "url"
PAGE = "page"
TITLE = "page-title"
TITLE_SINK = "page-title-sink"
NAV_TOGGLER = "nav-toggler"
NAV_COLLAPSE = "nav-collapse"
