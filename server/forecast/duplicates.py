"""Duplicates found by meaning and place: reports within a distance and a time window whose words say the same.

The score of a pair is read by the receptionist as its evidence: the trigram similarity of the two folded
descriptions (pg_trgm's `similarity()` on PostgreSQL, the same figure computed in Python on SQLite), the
problems both name (server.forecast.text.CONCEPTS: "vỡ ống nước" and "rò rỉ đường ống" are one), the same
category, the distance in metres and the days apart. Only pairs at or above THRESHOLD are shown; the figure of
THRESHOLD is the one docs/benchmarks.md measures precision and recall at (bench/duplicates_bench.py).

Candidates are read in one query per queue page: the reports of the window inside the box around the page's
reports (bounded: a box of a few hundred metres and a window of weeks), then each pair within the radius.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from server.forecast import text
from server.lib import clock
from server.lib.db import is_sqlite
from server.lib.geo import distance_m
from server.lib.vn_text import fold

THRESHOLD = 0.5
# What the words say (trigrams, the problems both name), then when and where. Two texts that each name a problem
# and share none speak of different things (their words count CONFLICT of their worth), and below MIN_MEANING
# the words say too little for time and place alone to make a duplicate.
W_TRIGRAM, W_CONCEPT = 0.3, 0.25
W_RECENT, W_NEAR, W_CATEGORY = 0.35, 0.1, 0.05
CONFLICT = 0.3
MIN_MEANING = 0.15
# The same problem reported again comes within days: a pair's recency fades to nothing over this many days.
RECENT_DAYS = 7
MAX_SHARED_WORDS = 5
# Statuses a new report can duplicate: not spam, not itself a duplicate.
LIVE_STATUSES = ("new", "accepted", "resolved")


@dataclass
class Pair:
    score: float
    similarity: float
    shared_concepts: list[str]
    shared_words: list[str]
    same_category: bool


def judge(a_text: str, b_text: str, same_category: bool, days_apart: float = 0.0, nearness: float = 1.0,
          similarity: float | None = None) -> Pair:
    """How likely two reports are one: their words, the same problems named, the category, how close in time
    and (`nearness`, 1 at the same point, 0 at the radius) in place; `similarity` is pg_trgm's when the
    database computed it."""
    if similarity is None:
        similarity = text.trigram_similarity(fold(a_text), fold(b_text))
    ca, cb = text.concepts(a_text), text.concepts(b_text)
    overlap = len(ca & cb) / len(ca | cb) if ca and cb else 0.0
    recent = max(0.0, 1 - days_apart / RECENT_DAYS)
    meaning = W_TRIGRAM * similarity + W_CONCEPT * overlap
    if ca and cb and not ca & cb:
        meaning *= CONFLICT
    context = W_RECENT * recent + W_NEAR * max(0.0, min(nearness, 1.0)) + W_CATEGORY * float(same_category)
    score = meaning + context if meaning >= MIN_MEANING else 0.0
    shared = sorted(text.content_words(a_text) & text.content_words(b_text))[:MAX_SHARED_WORDS]
    return Pair(round(score, 3), round(similarity, 3), text.concept_labels(ca & cb), shared, same_category)


# ---------------------------------------------------------------- the database side


def _fold_sql() -> tuple[str, str]:
    """The two strings of a SQL translate() that folds Vietnamese as server.lib.vn_text.fold does (lower-cased
    after), so PostgreSQL's pg_trgm compares the same text Python would, whatever the database's locale."""
    source, target = [], []
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        folded = fold(ch)
        if len(folded) == 1 and folded.isascii() and folded != ch:
            source.append(ch)
            target.append(folded)
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _fold_sql()


async def candidates_for(reports: list[dict[str, Any]], radius_m: float, window_days: int, limit: int = 5
                         ) -> list[list[dict[str, Any]]]:
    """For each report (id, description, category, latitude, longitude), the earlier or later reports of the
    window within `radius_m` whose score passes THRESHOLD, best first, each with its evidence."""
    from server.forecast.tables import RoutingModel  # any table: the query is raw SQL over the reports

    placed = [r for r in reports if r.get("latitude") is not None and r.get("longitude") is not None]
    if not placed:
        return [[] for _ in reports]
    dlat = radius_m / 111_000
    dlon = dlat / max(0.1, min(abs(math.cos(math.radians(r["latitude"]))) for r in placed))
    since = clock.now() - dt.timedelta(days=window_days)
    statuses = ", ".join(f"'{s}'" for s in LIVE_STATUSES)
    args: list[Any] = [min(r["latitude"] for r in placed) - dlat, max(r["latitude"] for r in placed) + dlat,
                       min(r["longitude"] for r in placed) - dlon, max(r["longitude"] for r in placed) + dlon,
                       since.isoformat() if is_sqlite() else since]
    rows = await RoutingModel.raw(
        "SELECT c.id, c.code, c.description, c.latitude, c.longitude, c.status, c.received_at, c.category"
        " FROM reports c WHERE c.latitude BETWEEN {} AND {} AND c.longitude BETWEEN {} AND {}"
        f" AND c.received_at >= {{}} AND c.status IN ({statuses})", *args)
    trgm: dict[tuple[int, int], float] = {}
    if not is_sqlite() and rows:
        # pg_trgm does the similarity where PostgreSQL runs: one query for every pair of the page.
        folded = "lower(translate({col}, {{}}, {{}}))"
        ids = ", ".join(str(int(r["id"])) for r in placed)
        others = ", ".join(str(int(r["id"])) for r in rows)
        for row in await RoutingModel.raw(
            f"SELECT q.id AS q, c.id AS c, similarity({folded.format(col='q.description')},"
            f" {folded.format(col='c.description')}) AS s FROM reports q, reports c"
            f" WHERE q.id IN ({ids}) AND c.id IN ({others}) AND c.id <> q.id",
            FOLD_FROM, FOLD_TO, FOLD_FROM, FOLD_TO,
        ):
            trgm[(row["q"], row["c"])] = float(row["s"])
    result = []
    for report in reports:
        if report.get("latitude") is None or report.get("longitude") is None:
            result.append([])
            continue
        found = []
        received = clock.as_datetime(report.get("received_at")) or clock.now()
        for row in rows:
            if row["id"] == report["id"]:
                continue
            distance = distance_m(report["latitude"], report["longitude"], row["latitude"], row["longitude"])
            if distance > radius_m:
                continue
            other = clock.as_datetime(row["received_at"])
            days = abs((received - other).total_seconds()) / 86400 if other else 0.0
            pair = judge(report.get("description") or "", row["description"] or "",
                         report.get("category") is not None and row["category"] == report.get("category"),
                         days, 1 - distance / radius_m, trgm.get((report["id"], row["id"])) if trgm else None)
            if pair.score < THRESHOLD:
                continue
            found.append({
                "id": row["id"], "code": row["code"], "description": row["description"], "status": row["status"],
                "latitude": row["latitude"], "longitude": row["longitude"], "received_at": other,
                "distance_m": round(distance), "days_apart": int(days),
                "score": pair.score, "similarity": pair.similarity, "percent": round(pair.similarity * 100),
                "shared_concepts": pair.shared_concepts, "shared_words": pair.shared_words,
                "same_category": pair.same_category,
            })
        found.sort(key=lambda r: (-r["score"], r["distance_m"]))
        result.append(found[:limit])
    return result
