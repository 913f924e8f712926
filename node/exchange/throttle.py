"""How many refused envelopes a partner may cost this node's audit log, per partner.

Every refused envelope is an audit row (``exchange_rejections``) and, within the quarantine's
quota, a file. A pinned partner that keeps sending envelopes this node refuses (a bug, a
compromised key, a flood) would otherwise grow the audit table without bound. Each partner has
a budget of refusals that refills at a steady rate (a token bucket): a burst of
``exchange.refusal_burst`` refusals is taken at once, then ``exchange.refusals_per_minute``.

While a partner's budget is spent its deliveries are refused whole (RESOURCE_EXHAUSTED,
``cusdep.exchange.throttled``) before any check: nothing of theirs is received, refused or
written. Its outbox keeps every message and tries again after its back-off, so no message is
lost; each refusal made is still audited one by one, and the throttling itself is audited once
per episode. The budget may go into debt by one frame (a frame is judged whole, so a frame of
more refusals than the budget holds is still received and audited), which bounds the rows a
partner can cause to ``burst + frame + rate x time``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from node.errors import LimitExceeded


class RefusalsThrottled(LimitExceeded):
    code = "cusdep.exchange.throttled"


@dataclass
class _Bucket:
    tokens: float
    at: float
    throttled: bool = False


class RefusalBudget:
    def __init__(
        self, burst: int, per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, peer: str | None) -> None:
        """Raise ``RefusalsThrottled`` while ``peer``'s budget is spent."""
        if self.spent(peer):
            raise self.refusal(peer)
        self._buckets[peer or ""].throttled = False

    def refusal(self, peer: str | None) -> RefusalsThrottled:
        """The error a spent budget refuses ``peer``'s deliveries with, saying for how long."""
        tokens = self._refilled(peer or "").tokens
        wait = max(0.0, -tokens) / self.rate + 1 if self.rate else float("inf")
        return RefusalsThrottled(
            f"{peer or 'an unidentified peer'} sent more envelopes this node refused than "
            f"{self.burst:.0f} at once and {self.rate * 60:.0f} per minute after; its deliveries "
            f"are refused for about {wait:.0f} s (nothing of them is received; retry then)"
        )

    def charge(self, peer: str | None, refusals: int) -> bool:
        """Take ``refusals`` from ``peer``'s budget; True when this spends it (an episode of
        throttling begins, to be audited once)."""
        if refusals <= 0:
            return False
        bucket = self._refilled(peer or "")
        bucket.tokens -= refusals
        if bucket.tokens > 0 or bucket.throttled:
            return False
        bucket.throttled = True
        return True

    def spent(self, peer: str | None) -> bool:
        return self._refilled(peer or "").tokens <= 0

    def _refilled(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        return bucket
