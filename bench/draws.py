"""Random draws the simulated worlds share (bench.forecast_data, bench.routing_data)."""

from __future__ import annotations

import math
import random


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count with this mean (Knuth's method: fine for the small means drawn here)."""
    count, limit, product = 0, math.exp(-mean), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
