"""What a directive's correction writes in a task's history: a code, read in the reader's language."""

from __future__ import annotations

from server.lib import i18n
from server.tasks.revision import field_names, note_code, shown_note


def _in(locale: str, note: str) -> str:
    token = i18n.current_locale.set(locale)
    try:
        return shown_note(note)
    finally:
        i18n.current_locale.reset(token)


def test_the_code_is_read_in_either_language() -> None:
    code = note_code(4, ["priority", "lead_unit", "deadline", "deadline_working_days"])
    assert code == "directive_revision:4:priority,lead_unit,deadline,deadline_working_days"
    assert _in("vi", code) == "Văn bản được đính chính (lần 4), thay đổi: Hạn xử lý, Đơn vị chủ trì, Mức độ ưu tiên"
    assert _in("en", code) == "The directive was corrected (correction 4); changed: Deadline, Lead unit, Priority"
    assert _in("en", note_code(4)) == "The directive was corrected (correction 4)"
    assert _in("en", "directive_revision:4:not_a_field") == "The directive was corrected (correction 4)"


def test_the_text_written_before_the_code_reads_the_same_and_other_notes_are_left_alone() -> None:
    assert _in("en", "Văn bản được đính chính (lần 12)") == "The directive was corrected (correction 12)"
    for note in ("", "Hạn khi giao", "Văn bản được đính chính (lần 1) và sửa thêm", "directive_revision:x"):
        assert _in("en", note) == note
    assert field_names([]) == []
