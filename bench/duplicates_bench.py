"""How well the duplicates are found, at the threshold the receptionist is shown (server.forecast.duplicates).

    .venv/bin/python -m bench.duplicates_bench [--seed 7]

The reports are `bench.routing_data.reports` (generated; duplicates labelled: a neighbour reporting the same
problem within days, nearby, in other words). Judged on the last third of the history, as the routing is (the
score has no fitted part: its weights and threshold were set on seed 7). Each report of that period is paired
with every report before it within the radius and the window the triage queue uses (300 m, 60 days); a pair is
found when its score passes the threshold, and a true pair is a report and the one it duplicates (or two
duplicates of one original). Against the hints before issue 15: "nearby (300 m, 60 days) in the same category".
"""

from __future__ import annotations

import argparse
import time

from bench.routing_data import reports
from server.forecast import duplicates as dup

RADIUS_M, WINDOW_DAYS = 300, 60


def run(seed: int, threshold: float = dup.THRESHOLD) -> dict[str, float]:
    data = reports(seed)
    cutoff = data[len(data) * 2 // 3].day
    root = {r.id: r.duplicate_of or r.id for r in data}
    found = true = hit = near_same = near_same_hit = 0
    started = time.perf_counter()
    pairs = 0
    for i, r in enumerate(data):
        if r.day < cutoff:
            continue
        for o in data[:i]:
            if (r.day - o.day).days > WINDOW_DAYS:
                continue
            if dup.distance_m(r.lat, r.lon, o.lat, o.lon) > RADIUS_M:
                continue
            pairs += 1
            same = root[r.id] == root[o.id]
            true += same
            d = dup.distance_m(r.lat, r.lon, o.lat, o.lon)
            pair = dup.judge(r.description, o.description, r.category == o.category,
                             (r.at - o.at).total_seconds() / 86400, 1 - d / RADIUS_M)
            days_ok = pair.score >= threshold
            found += days_ok
            hit += days_ok and same
            if r.category == o.category:
                near_same += 1
                near_same_hit += same
    n_true = sum(1 for r in data if r.day >= cutoff and r.duplicate_of is not None)
    return {"pairs": pairs, "true": true, "found": found, "precision": hit / max(found, 1),
            "recall": hit / max(true, 1), "base_precision": near_same_hit / max(near_same, 1),
            "base_recall": near_same_hit / max(true, 1), "duplicates": n_true,
            "threshold": threshold, "ms_per_pair": (time.perf_counter() - started) * 1000 / max(pairs, 1)}


def table(seed: int, m: dict[str, float]) -> str:
    pct = lambda v: f"{v * 100:.1f} %"  # noqa: E731
    return "\n".join([
        f"Seed {seed}: {m['pairs']} pairs within 300 m and 60 days in the judged period, {m['true']} of them true "
        f"duplicates ({m['duplicates']} duplicate reports).",
        "",
        "| | precision | recall |",
        "|---|---|---|",
        f"| meaning and place (score ≥ {m['threshold']}) | {pct(m['precision'])} | {pct(m['recall'])} |",
        f"| before: nearby in the same category | {pct(m['base_precision'])} | {pct(m['base_recall'])} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=dup.THRESHOLD)
    args = parser.parse_args()
    print(table(args.seed, run(args.seed, args.threshold)))


if __name__ == "__main__":
    main()
