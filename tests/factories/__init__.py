"""Factories: every test builds its own jurisdiction, so tests never depend on each other's rows.

One module per domain; this package re-exports the names tests import from `tests.factories`.
"""

from tests.factories.common import PASSWORD, client_address, unique
from tests.factories.media import jpeg
from tests.factories.people import Jurisdiction, make_commune, make_jurisdiction, make_person, make_unit
from tests.factories.tasks import make_task, report_progress

__all__ = [
    "PASSWORD",
    "Jurisdiction",
    "client_address",
    "jpeg",
    "make_commune",
    "make_jurisdiction",
    "make_person",
    "make_task",
    "make_unit",
    "report_progress",
    "unique",
]
