"""The pure parts of issue 15's routing and duplicates: the concept map, pg_trgm's similarity in Python, the vote."""

from __future__ import annotations

import datetime as dt

from server.forecast import duplicates, learned_routing, text

TODAY = dt.date(2026, 10, 14)


def test_one_problem_in_other_words_and_without_diacritics() -> None:
    assert text.concepts("Vỡ ống nước") == text.concepts("rò rỉ đường ống") == text.concepts("ro ri duong ong") \
        == {"ong_nuoc"}
    assert text.concepts("Đèn đường không sáng") == {"den_duong"}
    assert text.concepts("Nhà văn hóa thôn") == set()
    # Whole syllables only: "rac" inside "trac" (trắc) names no rubbish.
    assert "rac" not in text.concepts("đo đạc trắc địa")


def test_trigram_similarity_is_pg_trgms() -> None:
    # The figures PostgreSQL prints for SELECT similarity(...).
    assert round(text.trigram_similarity("word", "two words"), 6) == 0.363636
    assert text.trigram_similarity("abc", "abc") == 1.0
    assert text.trigram_similarity("", "abc") == 0.0


def test_a_duplicate_needs_words_that_say_the_same() -> None:
    same = duplicates.judge("Vỡ ống nước đầu ngõ 5", "ro ri duong ong nuoc dau ngo 5", False, 1, 0.8)
    other = duplicates.judge("Vỡ ống nước đầu ngõ 5", "Karaoke ồn ào đầu ngõ 5", True, 0, 1.0)
    assert same.score >= duplicates.THRESHOLD > other.score
    assert same.shared_concepts == ["vỡ, rò rỉ ống nước"] and "ngo" in same.shared_words


def example(i: int, words: str, unit: int, lat: float) -> learned_routing.Example:
    return learned_routing.Example(i, f"PA-{i:06d}", words, words, 1, lat, 106.0, TODAY - dt.timedelta(days=i), unit)


def test_the_vote_names_the_unit_and_the_reports_it_rests_on() -> None:
    examples = [example(i, "Vỡ ống nước ở chợ", 7, 10.0) for i in range(1, 16)]
    examples += [example(i, "Đèn đường hỏng ngoài đồng", 8, 10.2) for i in range(16, 31)]
    assert learned_routing.enough(examples) and not learned_routing.enough(examples[:15])
    model = learned_routing.Model.from_json(learned_routing.fit(examples).as_json())
    found = learned_routing.suggest(model, "ro ri duong ong nuoc o cho", 1, 10.0, 106.0, TODAY)
    assert found is not None and found.unit == 7 and found.confidence > 0.6
    assert [e["code"] for e in found.evidence] == ["PA-000001", "PA-000002", "PA-000003"]
    assert learned_routing.suggest(model, "xyz", None, None, None, TODAY) is None
