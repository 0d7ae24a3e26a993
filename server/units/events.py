"""What the rest of the house hears when the unit tree changes. Those who keep something derived from a unit's
path (people's cached actors) register here; units imports none of them."""

from __future__ import annotations

from collections.abc import Callable

_tree_listeners: list[Callable[[], None]] = []


def on_tree_changed(listener: Callable[[], None]) -> None:
    if listener not in _tree_listeners:
        _tree_listeners.append(listener)


def tree_changed() -> None:
    """A unit moved: every path below it changed."""
    for listener in _tree_listeners:
        listener()
