"""Lambda cost: GB-seconds and requests at Lambda's published on-demand prices.

Prices are those of us-east-1 (first pricing tier), in USD; other regions differ a
little. They change rarely; pass your own to `estimate` if they do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PRICE_PER_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
PRICE_PER_REQUEST = 0.20 / 1_000_000


@dataclass(frozen=True)
class Cost:
    invocations: int
    gb_seconds: float
    compute_usd: float
    requests_usd: float

    @property
    def total_usd(self) -> float:
        return self.compute_usd + self.requests_usd

    def to_json(self) -> dict:
        return {k: round(v, 10) for k, v in {**asdict(self), "total_usd": self.total_usd}.items()}


def cost_of(seconds: list[float], memory_mb: int, arch: str = "x86_64") -> Cost:
    """The cost of invocations that ran for `seconds` each (billed per millisecond)."""
    if arch not in PRICE_PER_GB_SECOND:
        raise ValueError(f"arch must be one of {', '.join(PRICE_PER_GB_SECOND)}")
    billed = sum(max(1, round(s * 1000)) / 1000 for s in seconds)
    gb_seconds = billed * memory_mb / 1024
    return Cost(len(seconds), gb_seconds, gb_seconds * PRICE_PER_GB_SECOND[arch],
                len(seconds) * PRICE_PER_REQUEST)
