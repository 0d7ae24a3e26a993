"""How often the learned routing names the unit that really handled a report, on a later period it never saw.

    .venv/bin/python -m bench.routing_bench [--seed 7]

The reports are `bench.routing_data.reports` (generated: see there and docs/benchmarks.md for what that can and
cannot show). The model is fitted exactly as the worker fits it (server.forecast.learned_routing.fit) on the
reports of the first two thirds of the history (duplicates aside: they are merged, not routed), and judged on
every report of the last third against the unit that finally handled it. The rules are the admin's rules of
bench.routing_data (a unit per category, one area rule), as server.reports.routing applies them.
"""

from __future__ import annotations

import argparse
import time

from bench.routing_data import reports
from server.forecast import learned_routing as lr


def run(seed: int) -> dict[str, float]:
    data = [r for r in reports(seed) if r.duplicate_of is None]
    cutoff = data[len(data) * 2 // 3].day
    train = [r for r in data if r.day < cutoff]
    test = [r for r in data if r.day >= cutoff]
    started = time.perf_counter()
    model = lr.fit([lr.Example(r.id, r.code, r.description, r.description, r.category, r.lat, r.lon, r.day, r.unit)
                    for r in train])
    fit_s = time.perf_counter() - started
    top1 = top3 = rules = confident = confident_right = combined = 0
    rerouted = rerouted_learned = 0
    started = time.perf_counter()
    for r in test:
        s = lr.suggest(model, r.description, r.category, r.lat, r.lon, r.day)
        ranked = [u for u, _ in s.ranking] if s else []
        top1 += bool(ranked) and ranked[0] == r.unit
        top3 += r.unit in ranked[:3]
        rules += r.rule == r.unit
        sure = s is not None and s.confidence >= lr.PRESELECT_CONFIDENCE
        confident += sure
        confident_right += sure and ranked[0] == r.unit
        combined += (ranked[0] if sure else r.rule) == r.unit
        if r.rule != r.unit:
            rerouted += 1
            rerouted_learned += bool(ranked) and ranked[0] == r.unit
    per_ms = (time.perf_counter() - started) * 1000 / max(len(test), 1)
    n = len(test)
    return {
        "train": len(train), "test": n, "cutoff": cutoff.isoformat(), "top1": top1 / n, "top3": top3 / n,
        "rules": rules / n, "confident_share": confident / n, "confident_top1": confident_right / max(confident, 1),
        "combined": combined / n, "rerouted": rerouted / n, "rerouted_learned": rerouted_learned / max(rerouted, 1),
        "fit_s": fit_s, "suggest_ms": per_ms,
    }


def table(seed: int, m: dict[str, float]) -> str:
    pct = lambda v: f"{v * 100:.1f} %"  # noqa: E731
    return "\n".join([
        f"Seed {seed}: {m['train']} reports before {m['cutoff']} to learn from, {m['test']} after it to judge.",
        "",
        "| | top-1 | top-3 |",
        "|---|---|---|",
        f"| rules (the admin's: a unit per category, one area rule) | {pct(m['rules'])} | — |",
        f"| learned (nearest-neighbour vote) | {pct(m['top1'])} | {pct(m['top3'])} |",
        f"| as shipped when turned on: learned at confidence ≥ {lr.PRESELECT_CONFIDENCE:.1f}, else the rule "
        f"| {pct(m['combined'])} | — |",
        "",
        f"Confidence ≥ {lr.PRESELECT_CONFIDENCE:.1f} on {pct(m['confident_share'])} of the reports, right on "
        f"{pct(m['confident_top1'])} of those. The rule was wrong (a person re-routed) on {pct(m['rerouted'])}; "
        f"the learned top-1 was right on {pct(m['rerouted_learned'])} of those. Fit {m['fit_s']:.2f} s, "
        f"{m['suggest_ms']:.2f} ms a suggestion.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(table(args.seed, run(args.seed)))


if __name__ == "__main__":
    main()
