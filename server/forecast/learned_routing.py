"""Routing learned from history, pure and synchronous: which unit handled reports like this one, and which ones.

A nearest-neighbour vote, chosen because its evidence is the model itself: the suggestion rests on the past
reports nearest to the new one, and the receptionist sees their codes. A past report is an example when a
person accepted it for a unit and it kept that unit (accepted or resolved): its final unit is the label, so a
receptionist who re-routes a report away from the rule's unit writes a new example by doing so.

Nearness adds up what the report says and where and when it came:
- the words: cosine of TF-IDF vectors over server.forecast.text.tokens (folded syllables, pairs of them, the
  problems named), the IDF fitted by scikit-learn's TfidfVectorizer at the nightly fit;
- the category the citizen chose, the place (the same cell of about 1 km, or of about 5 km);
- the time: an example counts less as it ages (half-life HALF_LIFE_DAYS), so a unit that took over a kind of
  problem last spring outvotes the one that had it before.
The K nearest vote with their nearness; the confidence is the winner's share of the votes.

The fitted model is stored as plain data (the IDF, the examples' tokens, category, cells, unit, day), so the web
processes suggest without scikit-learn, as the late-risk model does (server.forecast.model).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from server.forecast import text

# Below this many examples, or with fewer than two units among them, there is nothing to learn a choice from.
MIN_EXAMPLES = 30
MIN_UNITS = 2
# The newest examples kept at the fit: a commune's years fit, a province keeps its recent habits.
MAX_EXAMPLES = 6000
K = 10
HALF_LIFE_DAYS = 365.0
W_TEXT, W_CATEGORY, W_CELL, W_AREA = 0.8, 0.15, 0.3, 0.1
FINE_CELL, COARSE_CELL = 0.01, 0.05  # degrees: about 1.1 km and 5.5 km
# The suggestion is pre-selected (when the admin turned it on for the category) from this confidence on.
PRESELECT_CONFIDENCE = 0.6
# At or below this, the nearest reports do not agree on a unit (no majority of the votes): the receptionist is told
# the history is unclear rather than shown a unit that past reports of other kinds, nearby, happen to lean to.
SHOW_CONFIDENCE = 0.5
EVIDENCE = 3


def cell(lat: float | None, lon: float | None, size: float) -> str:
    if lat is None or lon is None:
        return ""
    return f"{math.floor(lat / size)}:{math.floor(lon / size)}"


@dataclass
class Example:
    """One past report as the model sees it."""

    report_id: int
    code: str
    title: str
    text: str
    category: int | None
    lat: float | None
    lon: float | None
    day: dt.date
    unit: int


@dataclass
class Model:
    idf: dict[str, float]
    default_idf: float
    examples: list[dict[str, Any]] = field(default_factory=list)
    _index: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def index(self) -> dict[str, Any]:
        """Postings by token, category and cell, built once per loaded model: a queue page asks for 25
        suggestions, and each reads only the examples that share something with its report."""
        if self._index is None:
            index: dict[str, Any] = {"t": defaultdict(list), "cat": defaultdict(list), "c1": defaultdict(list),
                                     "c5": defaultdict(list)}
            for i, e in enumerate(self.examples):
                for token, weight in e["v"].items():
                    index["t"][token].append((i, weight))
                index["cat"][e["cat"]].append(i)
                if e["c1"]:
                    index["c1"][e["c1"]].append(i)
                    index["c5"][e["c5"]].append(i)
            self._index = index
        return self._index

    def as_json(self) -> dict[str, Any]:
        return {"idf": self.idf, "default_idf": self.default_idf, "examples": self.examples}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(idf=data["idf"], default_idf=data["default_idf"], examples=data["examples"])


def enough(examples: Sequence[Example]) -> bool:
    return len(examples) >= MIN_EXAMPLES and len({e.unit for e in examples}) >= MIN_UNITS


def _vector(tokens: list[str], idf: dict[str, float], default: float) -> dict[str, float]:
    counts: dict[str, int] = defaultdict(int)
    for t in tokens:
        counts[t] += 1
    vec = {t: (1 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: round(v / norm, 4) for t, v in vec.items()}


def fit(examples: Sequence[Example]) -> Model:
    """The IDF of the examples' tokens (scikit-learn's smooth IDF) and the examples as vectors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    kept = sorted(examples, key=lambda e: (e.day, e.report_id))[-MAX_EXAMPLES:]
    docs = [text.tokens(e.text) for e in kept]
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, min_df=1)
    vectorizer.fit(docs)
    idf = {token: round(float(w), 4) for token, w in zip(vectorizer.get_feature_names_out(), vectorizer.idf_,
                                                         strict=True)}
    default = round(math.log((1 + len(docs)) / 1) + 1, 4)  # a token never seen: as rare as can be
    stored = [{
        "id": e.report_id, "code": e.code, "title": e.title[:80], "v": _vector(doc, idf, default),
        "cat": e.category, "c1": cell(e.lat, e.lon, FINE_CELL), "c5": cell(e.lat, e.lon, COARSE_CELL),
        "day": e.day.toordinal(), "unit": e.unit,
    } for e, doc in zip(kept, docs, strict=True)]
    return Model(idf=idf, default_idf=default, examples=stored)


@dataclass
class Suggestion:
    unit: int
    confidence: float
    # Every unit with its share of the votes, best first (top-3 accuracy reads these).
    ranking: list[tuple[int, float]]
    # The nearest past reports that voted for `unit`: {"id", "code", "title", "nearness"}.
    evidence: list[dict[str, Any]]


def suggest(model: Model, description: str, category: int | None, lat: float | None, lon: float | None,
            today: dt.date) -> Suggestion | None:
    query = _vector(text.tokens(description), model.idf, model.default_idf)
    c1, c5 = cell(lat, lon, FINE_CELL), cell(lat, lon, COARSE_CELL)
    now = today.toordinal()
    index = model.index()
    nearness: dict[int, float] = defaultdict(float)
    for token, weight in query.items():
        for i, other in index["t"].get(token, ()):
            nearness[i] += W_TEXT * weight * other
    if category is not None:
        for i in index["cat"].get(category, ()):
            nearness[i] += W_CATEGORY
    if c1:
        for i in index["c1"].get(c1, ()):
            nearness[i] += W_CELL
        for i in index["c5"].get(c5, ()):
            nearness[i] += W_AREA
    scored = []
    for i, near in nearness.items():
        e = model.examples[i]
        scored.append((near * 0.5 ** (max(now - e["day"], 0) / HALF_LIFE_DAYS), near, e))
    scored.sort(key=lambda s: (-s[0], -s[2]["day"]))
    top = [s for s in scored[:K] if s[0] > 0]
    if not top:
        return None
    votes: dict[int, float] = defaultdict(float)
    for weight, _, e in top:
        votes[e["unit"]] += weight
    total = sum(votes.values())
    ranking = sorted(((u, v / total) for u, v in votes.items()), key=lambda uv: -uv[1])
    unit, confidence = ranking[0]
    evidence = [{"id": e["id"], "code": e["code"], "title": e["title"], "nearness": round(near, 2)}
                for _, near, e in top if e["unit"] == unit][:EVIDENCE]
    return Suggestion(unit=unit, confidence=round(confidence, 3), ranking=ranking, evidence=evidence)
