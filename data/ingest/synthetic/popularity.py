"""How much a record is used (downloads, likes, trending score) and whether it is gated."""

from __future__ import annotations

import math

from .dates import END

_P_NEVER_DOWNLOADED = 0.4  # a model has no downloads
_P_UNUSED_UNLIKED = 0.93  # such a model has no likes either (else 1-3)
_DOWNLOAD_SCALE, _DOWNLOAD_POWER = 5.0, 1.25  # log-logistic: P(X > x) ~ (5/x)^0.8
_MAX_DOWNLOADS = 150_000_000
_P_NO_LIKES = 0.6  # a downloaded model has no likes (else a heavy tail, more with downloads)
_LIKES_POWER = -0.85  # the likes tail: r() ** this, scaled by the downloads' digits
_MAX_LIKES = 60_000
_RECENT = 90 * 86400  # created in the span's last 90 days: trending is likelier
_P_TRENDING_RECENT, _P_TRENDING = 0.3, 0.06  # a recent model, another model trends
_P_TRENDING_LIKED = 0.2  # added to that chance for a model with more than _LIKED likes
_LIKED = 20
_TRENDING_POWER = -1.1  # the trending score's tail: r() ** this
_MAX_TRENDING = 5_000
_NONZERO = 1e-9  # added to r() before a negative power, which would fail at 0
_P_UNGATED = 0.97  # gated, from one draw u: below this False,
_AUTO_GATED_BELOW = 0.992  # below this "auto", else "manual"


def draw_popularity(r, created: int) -> tuple[int, int, int]:
    """(downloads, likes, trendingScore): ~40% never downloaded; the rest log-logistic with
    a tail reaching tens of millions; likes and trending mostly zero, growing with use."""
    u = r()
    if u < _P_NEVER_DOWNLOADED:
        return 0, (0 if r() < _P_UNUSED_UNLIKED else 1 + int(r() * 3)), 0
    v = (u - _P_NEVER_DOWNLOADED) / (1 - _P_NEVER_DOWNLOADED)  # the same draw, on [0, 1)
    downloads = min(_MAX_DOWNLOADS, 1 + int(_DOWNLOAD_SCALE * (v / (1.0 - v)) ** _DOWNLOAD_POWER))
    likes = 0
    if r() >= _P_NO_LIKES:
        tail = (r() + _NONZERO) ** _LIKES_POWER
        likes = min(_MAX_LIKES, int(tail * (1 + math.log10(downloads))) - 1)
    chance = (_P_TRENDING_RECENT if created > END - _RECENT else _P_TRENDING) + (
        _P_TRENDING_LIKED if likes > _LIKED else 0.0
    )
    trending = 0
    if r() < chance:
        trending = min(_MAX_TRENDING, int((r() + _NONZERO) ** _TRENDING_POWER))
    return downloads, likes, trending


def draw_gated(r) -> bool | str:
    u = r()
    return False if u < _P_UNGATED else ("auto" if u < _AUTO_GATED_BELOW else "manual")
