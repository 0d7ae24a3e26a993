"""How well the late-risk forecast sees lateness coming, on a later period the model never saw.

    .venv/bin/python -m bench.forecast_bench [--seed 7] [--write]

The history is `bench.forecast_data.forecast_histories` (simulated: see there, and docs/benchmarks.md for what that
can and cannot show). The model is fitted exactly as the worker fits it (server.forecast.model.training_set and
fit) on what was known at the cut-off day, two thirds into the history: later reports, extensions, returns and
completions are cut away first. It is then judged on every task whose deadline in force comes after the
cut-off, looked at 3 working days before that deadline while it was still open (features as of that day).

Against two baselines, each given the same chance (its threshold chosen on the training period for the best
F1, its probability calibrated on the training period):
- "behind the calendar": the share of the working time used minus the progress reported;
- "the unit's past late rate": the lead unit's share of late tasks among those decided before that day.
With --write the tables are appended to docs/benchmarks.md with the commit and the machine's load.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import subprocess
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.forecast_data import forecast_histories
from server.forecast import model

FLAG_DAYS = 3
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def censor(histories: Sequence[model.History], cutoff: dt.date) -> list[model.History]:
    """The histories as the database held them at the end of `cutoff`."""
    seen = []
    for h in histories:
        if h.assigned_on > cutoff:
            continue
        c = copy.copy(h)
        c.deadlines = [d for d in h.deadlines if d[0] <= cutoff] or h.deadlines[:1]
        c.reports = [r for r in h.reports if r[0] <= cutoff]
        c.returns = [r for r in h.returns if r <= cutoff]
        c.completed_on = h.completed_on if h.completed_on is not None and h.completed_on <= cutoff else None
        seen.append(c)
    return seen


class UnitRate:
    """Baseline 2: the lead unit's late share among its tasks decided (and known) by the day, smoothed."""

    def __init__(self, histories: Sequence[model.History], today: dt.date) -> None:
        known: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for h in histories:
            outcome = h.outcome(today)
            if outcome:
                known[h.unit_id].append((outcome[0].toordinal(), int(outcome[1])))
        self.index = {}
        for unit, items in known.items():
            items.sort()
            cumulative = [0]
            for _, late in items:
                cumulative.append(cumulative[-1] + late)
            self.index[unit] = ([d for d, _ in items], cumulative)

    def __call__(self, unit: int, day: dt.date) -> float:
        days, cumulative = self.index.get(unit, ([], [0]))
        n = bisect_right(days, day.toordinal())
        return (cumulative[n] + 1) / (n + 2)


def flagged_rows(histories: Sequence[model.History], judged: Sequence[model.History], today: dt.date, calendar
                 ) -> list[tuple[model.Row, int, float]]:
    """(features, late?, unit rate) for each judged task, 3 working days before its deadline while still open."""
    record, load, unit_rate = model.Record(histories, today), model.Load(histories), UnitRate(histories, today)
    rows = []
    for h in judged:
        outcome = h.outcome(today)
        day = model.working_days_before(calendar, h.deadline, FLAG_DAYS)
        if outcome is None or day < h.assigned_on or not h.is_open_on(day) or day >= today:
            continue
        rows.append((model.features(h, day, calendar, record, load), int(outcome[1]), unit_rate(h.unit_id, day)))
    return rows


def binned(train_scores: Sequence[float], train_y: Sequence[int], bins: int = 10) -> Callable[[float], float]:
    """A score turned into a probability: the training period's late share among scores of the same decile."""
    ordered = sorted(zip(train_scores, train_y, strict=True))
    size = max(len(ordered) // bins, 1)
    edges, rates = [], []
    for i in range(0, len(ordered), size):
        chunk = ordered[i:i + size]
        edges.append(chunk[-1][0])
        rates.append((sum(y for _, y in chunk) + 1) / (len(chunk) + 2))

    def probability(score: float) -> float:
        return rates[min(bisect_right(edges, score), len(rates) - 1)]

    return probability


def best_threshold(scores: Sequence[float], ys: Sequence[int]) -> float:
    candidates = sorted(set(round(s, 3) for s in scores))
    return max(candidates, key=lambda t: f1(scores, ys, t)[2]) if candidates else 0.5


def f1(scores: Sequence[float], ys: Sequence[int], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, ys, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, ys, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, ys, strict=True) if s < threshold and y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def brier(probabilities: Sequence[float], ys: Sequence[int]) -> float:
    return sum((p - y) ** 2 for p, y in zip(probabilities, ys, strict=True)) / len(ys)


def auc(scores: Sequence[float], ys: Sequence[int]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(ys, scores))


def pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + "%"


def count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def num(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def run(seed: int) -> tuple[str, dict[str, float]]:
    started = time.perf_counter()
    world = forecast_histories(seed)
    calendar, histories = world.calendar, world.histories
    cutoff = dt.date.fromordinal(world.start.toordinal() + (world.end.toordinal() - world.start.toordinal()) * 2 // 3)
    seen = censor(histories, cutoff)
    xs, ys = model.training_set(seen, cutoff, calendar)
    fit_started = time.perf_counter()
    fitted = model.fit(xs, ys)
    fit_seconds = time.perf_counter() - fit_started

    train = flagged_rows(seen, seen, cutoff, calendar)
    later = [h for h in histories if model.working_days_before(calendar, h.deadline, FLAG_DAYS) > cutoff]
    test = flagged_rows(histories, later, world.end + dt.timedelta(days=400), calendar)
    test_y = [y for _, y, _ in test]
    train_y = [y for _, y, _ in train]

    methods: dict[str, tuple[list[float], list[float]]] = {}  # name → (train scores, test scores)
    methods["model"] = ([fitted.probability(r.x) for r, _, _ in train], [fitted.probability(r.x) for r, _, _ in test])
    methods["behind"] = ([r.raw["behind"] / 100 for r, _, _ in train], [r.raw["behind"] / 100 for r, _, _ in test])
    methods["unit_rate"] = ([u for _, _, u in train], [u for _, _, u in test])
    names = {"model": "Mô hình (hồi quy logistic đã hiệu chỉnh)", "behind": "Cơ sở 1: tiến độ chậm so với lịch",
             "unit_rate": "Cơ sở 2: tỷ lệ trễ trước đây của đơn vị"}
    figures: dict[str, float] = {}
    lines = [
        "| cách dự báo | ngưỡng (chọn trên giai đoạn huấn luyện) | precision | recall | F1 | Brier | AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, (train_scores, test_scores) in methods.items():
        threshold = best_threshold(train_scores, train_y)
        precision, recall, f = f1(test_scores, test_y, threshold)
        to_probability = (lambda s: s) if key == "model" else binned(train_scores, train_y)
        probabilities = [to_probability(s) for s in test_scores]
        b = brier(probabilities, test_y)
        area = auc(test_scores, test_y)
        figures.update({f"{key}_precision": precision, f"{key}_recall": recall, f"{key}_f1": f, f"{key}_brier": b,
                        f"{key}_auc": area})
        lines.append(f"| {names[key]} | {num(threshold, 2)} | {pct(precision)} | {pct(recall)} | {pct(f)} | "
                     f"{num(b)} | {num(area)} |")
    model_scores = methods["model"][1]
    p50 = f1(model_scores, test_y, 0.5)
    base_rate = sum(train_y) / len(train_y)
    climatology = brier([base_rate] * len(test_y), test_y)
    lines.append(f"| Mô hình ở ngưỡng hiển thị 0,5 (danh sách \"Có nguy cơ trễ hạn\") | 0,50 | {pct(p50[0])} | "
                 f"{pct(p50[1])} | {pct(p50[2])} | | |")
    lines.append(f"| Không phân biệt (tỷ lệ trễ chung của giai đoạn huấn luyện, {pct(base_rate)}) | | | | | "
                 f"{num(climatology)} | 0,500 |")
    figures["climatology_brier"] = climatology

    reliability = ["| xác suất dự báo | số nhiệm vụ | trung bình dự báo | tỷ lệ trễ thực tế |", "|---|---|---|---|"]
    for k in range(10):
        lo, hi = k / 10, (k + 1) / 10
        members = [(p, y) for p, y in zip(model_scores, test_y, strict=True) if lo <= p < hi or (k == 9 and p == 1)]
        if members:
            reliability.append(f"| {num(lo, 1)}–{num(hi, 1)} | {len(members)} | "
                               f"{pct(sum(p for p, _ in members) / len(members))} | "
                               f"{pct(sum(y for _, y in members) / len(members))} |")
    coefficients = ", ".join(f"{name} {num(c, 2)}" for name, c in zip(fitted.features, fitted.coef, strict=True))
    total = time.perf_counter() - started
    text = "\n".join([
        f"Lịch sử mô phỏng (seed {seed}): {count(len(histories))} nhiệm vụ, "
        f"{world.start:%d/%m/%Y}–{world.end:%d/%m/%Y}; ngày cắt {cutoff:%d/%m/%Y}. "
        f"Huấn luyện: {count(len(seen))} nhiệm vụ đã biết đến ngày cắt, {count(len(ys))} mẫu "
        f"(1, 3, 5, 10 ngày làm việc trước hạn), {pct(sum(ys) / len(ys))} trễ; fit {fit_seconds:.2f} s. "
        f"Kiểm tra: {count(len(test))} nhiệm vụ có hạn sau ngày cắt, nhìn lúc 3 ngày làm việc trước hạn, "
        f"{pct(sum(test_y) / len(test_y))} trễ. Toàn bộ: {total:.1f} s.",
        "",
        *lines,
        "",
        "Bảng tin cậy (mô hình, giai đoạn kiểm tra):",
        "",
        *reliability,
        "",
        f"Hệ số (trên đặc trưng đã chuẩn hóa): {coefficients}.",
    ])
    return text, figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="append the tables to docs/benchmarks.md")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    text, _figures = run(args.seed)
    print(text)
    if args.write:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        with DOCS.open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Dự báo nguy cơ trễ hạn — seed {args.seed}, commit {commit}, "
                f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} lõi, "
                f"tải máy trước khi chạy {load_before[0]:.2f}\n\n{text}\n"
            )


if __name__ == "__main__":
    main()
