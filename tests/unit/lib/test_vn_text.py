"""Vietnamese collation: the alphabet with its own letters (ă â đ ê ô ơ ư), tones second, given name first."""

from __future__ import annotations

import unicodedata

import pytest

from server.lib.vn_text import collation_key, person_sort_key


def by_person(names: list[str]) -> list[str]:
    return sorted(names, key=person_sort_key)


def by_text(words: list[str]) -> list[str]:
    return sorted(words, key=collation_key)


def test_d_comes_before_dd_and_family_names_sort_as_written() -> None:
    # The example: "Đặng, Đinh, Đoàn, Dương" is the order with diacritics stripped; Đ comes after D.
    assert by_text(["Đặng", "Đinh", "Đoàn", "Dương"]) == ["Dương", "Đặng", "Đinh", "Đoàn"]
    assert by_text(["Đức", "Dũng", "Duy", "Ên", "Em"]) == ["Dũng", "Duy", "Đức", "Em", "Ên"]


def test_given_name_first() -> None:
    assert by_person(["Nguyễn Thị Bình", "Đặng Văn An"]) == ["Đặng Văn An", "Nguyễn Thị Bình"]
    assert by_person(["Trần Văn Cường", "Lê Thị Ánh", "Phạm Minh Anh"]) == [
        "Phạm Minh Anh", "Lê Thị Ánh", "Trần Văn Cường"]


def test_same_given_name_then_the_rest_with_d_before_dd() -> None:
    names = ["Đặng Văn An", "Dương Văn An", "Đinh Thị An", "Bùi An"]
    assert by_person(names) == ["Bùi An", "Dương Văn An", "Đặng Văn An", "Đinh Thị An"]


def test_vowel_letters_are_letters_of_their_own() -> None:
    # a < ă < â, e < ê, o < ô < ơ, u < ư: whatever the tone, and before the next letter.
    assert by_text(["Ân", "Ăn", "An", "Bà"]) == ["An", "Ăn", "Ân", "Bà"]
    assert by_text(["Ơn", "Ôn", "On", "Ốc"]) == ["On", "Ốc", "Ôn", "Ơn"]
    assert by_text(["Ưng", "Ủng", "Ung"]) == ["Ung", "Ủng", "Ưng"]


def test_tones_are_a_secondary_difference() -> None:
    # ngang, huyền, hỏi, ngã, sắc, nặng, but a tone never outweighs a letter: "Hoạ" < "Hoan".
    assert by_text(["Hoạ", "Hoá", "Hoã", "Hoả", "Hoà", "Hoa"]) == ["Hoa", "Hoà", "Hoả", "Hoã", "Hoá", "Hoạ"]
    assert by_text(["Hoan", "Hoạ"]) == ["Hoạ", "Hoan"]
    assert by_person(["Lê Hoà", "Lê Hoan", "Lê Hoa"]) == ["Lê Hoa", "Lê Hoà", "Lê Hoan"]


def test_tones_on_marked_vowels_in_either_unicode_form() -> None:
    # "ậ" decomposes to a + dot below + circumflex: the dot is a tone, the circumflex makes the letter â.
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hậu")
    assert person_sort_key(decomposed) == person_sort_key("Nguyễn Thị Hậu")
    assert by_text(["Hậu", "Hầu", "Hâu", "Hau"]) == ["Hau", "Hâu", "Hầu", "Hậu"]


def test_case_and_spaces_do_not_change_the_order() -> None:
    assert person_sort_key("nguyễn  văn  an")[0][0] == person_sort_key("Nguyễn Văn An")[0][0]
    assert by_text(["An Bình", "An", "Anh"]) == ["An", "An Bình", "Anh"]


@pytest.mark.parametrize("name", ["", "  ", "An", "Nguyễn", "Lê Thị 2", "O'Neil Smith"])
def test_any_name_has_a_key(name: str) -> None:
    assert isinstance(person_sort_key(name), tuple)
    sorted([name, "Nguyễn Văn An"], key=person_sort_key)
