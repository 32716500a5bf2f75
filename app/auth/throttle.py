"""Failed sign-ins, counted per address and account (and per account alone, against a
spread-out guess), in the rate limit's storage: Redis when configured, shared by every process.
Counted by `limits`, the engine under flask-limiter; counted even with CATALOG_RATE_LIMIT=off."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

PER_ADDRESS_AND_ACCOUNT = parse("10/15 minutes")
PER_ACCOUNT = parse("100/15 minutes")


@dataclass
class LoginThrottle:
    limiter: FixedWindowRateLimiter
    prefix: str

    @classmethod
    def build(cls, storage_uri: str, prefix: str, options: dict) -> LoginThrottle:
        return cls(FixedWindowRateLimiter(storage_from_string(storage_uri, **options)), prefix)

    def _keys(self, address: str, email: str) -> list[tuple[RateLimitItem, str]]:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]  # no address in Redis keys
        return [
            (PER_ADDRESS_AND_ACCOUNT, f"{self.prefix}login:{address}:{account}"),
            (PER_ACCOUNT, f"{self.prefix}login:{account}"),
        ]

    def retry_after(self, address: str, email: str) -> int | None:
        """Seconds until another try is allowed, or None when one is allowed now."""
        for item, key in self._keys(address, email):
            try:
                allowed = self.limiter.test(item, key)
                reset = self.limiter.get_window_stats(item, key).reset_time
            except Exception:  # noqa: BLE001  a storage that fails lets sign-ins through, as the rate limit does
                return None
            if not allowed:
                return max(math.ceil(reset - time.time()), 1)
        return None

    def failed(self, address: str, email: str) -> None:
        for item, key in self._keys(address, email):
            try:
                self.limiter.hit(item, key)
            except Exception:  # noqa: BLE001
                return
