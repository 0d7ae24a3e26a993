from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.lib.actor import Role
from server.units.tables import Unit


class Person(Table, tablename="people"):
    username = Varchar(length=64, unique=True)
    full_name = Varchar(length=255)
    title = Varchar(length=255, default="")
    email = Varchar(length=255, default="")
    phone = Varchar(length=32, default="")
    role = Varchar(length=32, choices=Role, default=Role.officer.value, index=True)
    unit = ForeignKey(references=Unit, index=True)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    is_demo = Boolean(default=False)
    locale = Varchar(length=8, default="vi")
    search_text = Text(default="")
    created_at = Timestamptz()
    # Raised by a password, role, unit or active change: every session made under an older number ends.
    session_epoch = Integer(default=0)
    # Named by the admin a triage officer: routes citizens' reports and petitions whatever the role (a clerk of
    # the office who stands in for the receptionist), and like her reads none of the tasks afterwards.
    triage = Boolean(default=False)


class LoginThrottle(Table, tablename="login_throttle"):
    """Sign-in attempts per key (a username, a username from one address, an address) in a fixed window.

    Counted by one INSERT … ON CONFLICT … RETURNING, so concurrent attempts cannot all read the same count."""

    key = Varchar(length=320, unique=True)
    attempts = Integer(default=0)
    window_ends = BigInt(default=0, index=True)  # unix seconds
