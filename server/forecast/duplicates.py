"""Duplicates found by meaning and place: reports within a distance and a time window whose words say the same.

The score of a pair is read by the receptionist as its evidence: the trigram similarity of the two folded
descriptions (pg_trgm's `similarity()` on PostgreSQL, the same figure computed in Python on SQLite), the
problems both name (server.forecast.text.CONCEPTS: "vỡ ống nước" and "rò rỉ đường ống" are one), the same
category, the distance in metres and the days apart. Only pairs at or above THRESHOLD are shown; the figure of
THRESHOLD is the one docs/benchmarks.md measures precision and recall at (bench/duplicates_bench.py).

Candidates are read in one query per queue page, bounded per report whatever the page spans (a province's
queue reaches from one end of it to the other): each report is joined with the reports of the window inside its
own circle (`radius_m`), and at most MAX_CANDIDATES of them, the nearest in time, are kept and scored. The
category does not narrow them: a citizen who ticks another category for the same broken pipe still makes a
duplicate (tests/api/forecast/test_duplicates.py). Each text is folded once, not once per pair.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from server.forecast import text
from server.lib import clock
from server.lib.db import is_sqlite
from server.lib.geo import EARTH_RADIUS_M, distance_m
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
# The most reports within one report's radius and window that are scored, the nearest in time first: a street
# that floods brings a hundred reports in a day, and the receptionist is shown five.
MAX_CANDIDATES = 50


@dataclass
class Pair:
    score: float
    similarity: float
    shared_concepts: list[str]
    shared_words: list[str]
    same_category: bool


@dataclass
class Words:
    """What a description says, read once: its folded text, its trigrams, the problems and words it names."""

    folded: str
    concepts: set[str] = field(default_factory=set)
    content: set[str] = field(default_factory=set)
    trigrams: set[str] = field(default_factory=set)


def words_of(description: str | None) -> Words:
    folded = fold(description)
    return Words(folded, text.concepts(folded), text.content_words(folded), text.trigrams(folded))


def judge(a_text: str, b_text: str, same_category: bool, days_apart: float = 0.0, nearness: float = 1.0,
          similarity: float | None = None) -> Pair:
    """How likely two reports are one: their words, the same problems named, the category, how close in time
    and (`nearness`, 1 at the same point, 0 at the radius) in place; `similarity` is pg_trgm's when the
    database computed it."""
    return judge_words(words_of(a_text), words_of(b_text), same_category, days_apart, nearness, similarity)


def judge_words(a: Words, b: Words, same_category: bool, days_apart: float = 0.0, nearness: float = 1.0,
                similarity: float | None = None) -> Pair:
    """`judge` of two texts already read (words_of): a page's report is read once, not once per candidate."""
    if similarity is None:
        similarity = text.overlap(a.trigrams, b.trigrams)
    ca, cb = a.concepts, b.concepts
    shared = text.overlap(ca, cb)
    recent = max(0.0, 1 - days_apart / RECENT_DAYS)
    meaning = W_TRIGRAM * similarity + W_CONCEPT * shared
    if ca and cb and not ca & cb:
        meaning *= CONFLICT
    context = W_RECENT * recent + W_NEAR * max(0.0, min(nearness, 1.0)) + W_CATEGORY * float(same_category)
    score = meaning + context if meaning >= MIN_MEANING else 0.0
    shared = sorted(a.content & b.content)[:MAX_SHARED_WORDS]
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
# Degrees of latitude per metre; the SQL circle is a little wider than `radius_m` (a flat Earth over a few hundred
# metres), and the exact distance (haversine) decides in Python.
DEG_PER_M = 180 / (math.pi * EARTH_RADIUS_M)
SQL_SLACK = 1.01


def _placed(report: dict[str, Any]) -> bool:
    lat, lon = report.get("latitude"), report.get("longitude")
    return lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon) and abs(lat) < 89.9


def _near_sql(placed: list[dict[str, Any]], radius_m: float, since: dt.datetime) -> tuple[str, list[Any]]:
    """One query: each placed report (a row of `q`, numbers written as literals, its time and folded words as
    parameters) joined with the live reports of the window inside its own circle, the nearest in time first,
    at most MAX_CANDIDATES each; on PostgreSQL with pg_trgm's similarity of each kept pair."""
    sqlite = is_sqlite()
    r_deg = radius_m * SQL_SLACK * DEG_PER_M
    values, args = [], []
    for report in placed:
        lat, lon = float(report["latitude"]), float(report["longitude"])
        kx = max(0.01, math.cos(math.radians(lat)))  # a degree of longitude, in degrees of latitude, here
        at = clock.as_utc(clock.as_datetime(report.get("received_at")) or clock.now())
        row = f"({int(report['id'])}, {lat!r}, {lon!r}, {kx!r}, {r_deg / kx!r}, "
        values.append(row + ("{}, '')" if sqlite else "CAST({} AS timestamptz), CAST({} AS text))"))
        args += [at] if sqlite else [at, report["_words"].folded]
    apart = ("abs(julianday(c.received_at) - julianday(q.at))" if sqlite
             else "abs(extract(epoch FROM c.received_at - q.at))")
    similarity = "" if sqlite else ", similarity(q.folded, lower(translate(ranked.description, {}, {}))) AS s"
    statuses = ", ".join(f"'{s}'" for s in LIVE_STATUSES)
    sql = (
        f"WITH q(id, lat, lon, kx, dlon, at, folded) AS (VALUES {', '.join(values)})"
        " SELECT ranked.*" + similarity + " FROM (SELECT q.id AS q, c.id, c.code, c.description, c.latitude,"
        " c.longitude, c.status, c.received_at, c.category,"
        f" ROW_NUMBER() OVER (PARTITION BY q.id ORDER BY {apart}, c.id) AS n"
        f" FROM q JOIN reports c ON c.latitude BETWEEN q.lat - {r_deg!r} AND q.lat + {r_deg!r}"
        " AND c.longitude BETWEEN q.lon - q.dlon AND q.lon + q.dlon"
        f" WHERE c.received_at >= {{}} AND c.status IN ({statuses}) AND c.id <> q.id"
        " AND (c.latitude - q.lat) * (c.latitude - q.lat) + (c.longitude - q.lon) * q.kx * (c.longitude - q.lon) * q.kx"
        f" <= {r_deg * r_deg!r}) ranked"
        + ("" if sqlite else " JOIN q ON q.id = ranked.q")
        + f" WHERE ranked.n <= {MAX_CANDIDATES}"
    )
    if not sqlite:  # the similarity's placeholders come before the window's in the text
        args += [FOLD_FROM, FOLD_TO]
    return sql, [*args, since]


async def candidates_for(reports: list[dict[str, Any]], radius_m: float, window_days: int, limit: int = 5
                         ) -> list[list[dict[str, Any]]]:
    """For each report (id, description, category, latitude, longitude), the earlier or later reports of the
    window within `radius_m` whose score passes THRESHOLD, best first, each with its evidence."""
    from server.forecast.tables import RoutingModel  # any table: the query is raw SQL over the reports

    placed = list({r["id"]: {**r, "_words": words_of(r.get("description"))} for r in reports if _placed(r)}.values())
    if not placed:
        return [[] for _ in reports]
    sql, args = _near_sql(placed, radius_m, clock.now() - dt.timedelta(days=window_days))
    near: dict[int, list[dict[str, Any]]] = {}
    for row in await RoutingModel.raw(sql, *args):
        near.setdefault(row["q"], []).append(row)
    read: dict[int, Words] = {}  # a candidate near several reports of the page is read once
    found_for = {r["id"]: _found(r, near.get(r["id"], []), radius_m, read)[:limit] for r in placed}
    return [found_for.get(r.get("id"), []) if _placed(r) else [] for r in reports]


def _found(report: dict[str, Any], rows: list[dict[str, Any]], radius_m: float, read: dict[int, Words]
           ) -> list[dict[str, Any]]:
    found = []
    received = clock.as_datetime(report.get("received_at")) or clock.now()
    for row in rows:
        distance = distance_m(report["latitude"], report["longitude"], row["latitude"], row["longitude"])
        if distance > radius_m:
            continue
        other = clock.as_datetime(row["received_at"])
        days = abs((received - other).total_seconds()) / 86400 if other else 0.0
        if row["id"] not in read:
            read[row["id"]] = words_of(row["description"])
        pair = judge_words(report["_words"], read[row["id"]],
                           report.get("category") is not None and row["category"] == report.get("category"),
                           days, 1 - distance / radius_m, None if row.get("s") is None else float(row["s"]))
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
    return found
