"""The house's rules that a file can break, checked on every run (issue 12; docs/architecture.md, "File sizes").

No hand-written Python or JavaScript file over 400 lines in server/, citizen_portal/, pwa/, bench/ or tests/:
migrations, vendored code and installed packages are left out (the locale catalogs are .po files). A file still
over the line is named in ALLOWED with the reason and whose it is; shrink the list, never grow it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("server", "citizen_portal", "pwa", "bench", "tests")
LEFT_OUT = {"piccolo_migrations", "vendor", "node_modules", "__pycache__"}
MAX_LINES = 400

# path → why it is still over MAX_LINES (each waits for its owner to split it).
ALLOWED: dict[str, str] = {}


def line_count(path: Path) -> int:
    """Lines as `wc -l` counts them (the command docs/architecture.md gives)."""
    return path.read_bytes().count(b"\n")


def hand_written_files() -> list[Path]:
    found = []
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".js") and path.is_file() and not LEFT_OUT & set(path.parts):
                found.append(path)
    return found


def test_no_hand_written_file_is_over_400_lines() -> None:
    over = {
        str(path.relative_to(ROOT)): n for path in hand_written_files() if (n := line_count(path)) > MAX_LINES
    }
    new = {path: n for path, n in over.items() if path not in ALLOWED}
    assert not new, (
        f"over {MAX_LINES} lines: split by responsibility (docs/architecture.md, 'File sizes'): "
        + ", ".join(f"{path} ({n})" for path, n in sorted(new.items()))
    )


def test_the_allow_list_only_names_files_still_over() -> None:
    """A file split since it was allowed leaves the list, so that it cannot grow back unnoticed."""
    stale = [path for path in ALLOWED if not (ROOT / path).exists() or line_count(ROOT / path) <= MAX_LINES]
    assert not stale, f"no longer over {MAX_LINES} lines: remove from ALLOWED in {Path(__file__).name}: {stale}"


def test_the_count_sees_the_files_it_should() -> None:
    """The scan is not silently empty: the app's own modules and the app's JavaScript are counted."""
    names = {str(path.relative_to(ROOT)) for path in hand_written_files()}
    assert "server/app.py" in names and any(name.startswith("pwa/") and name.endswith(".js") for name in names)
    assert not any("piccolo_migrations" in name or "/vendor/" in name for name in names)
