"""The durable job queue, the inbox, and Web Push subscriptions, settings and keys."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.lib.jobs import Job, JobState  # noqa: F401  (the queue's table lives with the queue, in lib)
from server.people.tables import Person
from server.units.tables import Unit


class Notification(Table, tablename="notifications"):
    """An inbox item. `dedupe_key` makes every reminder exist once per (task, rule, person, day)."""

    person = ForeignKey(references=Person, index=True)
    kind = Varchar(length=32)
    title = Varchar(length=500)
    body = Text(default="")
    link = Varchar(length=500, default="")
    task_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    dedupe_key = Varchar(length=255, null=True, default=None, unique=True)


class PushSubscription(Table, tablename="push_subscriptions"):
    person = ForeignKey(references=Person, index=True)
    endpoint = Varchar(length=1000, unique=True)
    p256dh = Varchar(length=255)
    auth = Varchar(length=255)
    user_agent = Varchar(length=500, default="")
    created_at = Timestamptz()


class NotificationSetting(Table, tablename="notification_settings"):
    """Per-person choices; a person without a row gets the defaults of services.DEFAULT_SETTINGS."""

    person = ForeignKey(references=Person, unique=True)
    # Comma-separated notification kinds sent by push; "*" means every kind.
    push_kinds = Text(default="*")
    quiet_hours = Boolean(default=True)
    email = Boolean(default=False)


class VapidKey(Table, tablename="vapid_keys"):
    """The server's VAPID key pair, generated at first start and kept (one row, name "default")."""

    name = Varchar(length=32, unique=True)
    private_pem = Text()
    public_key = Varchar(length=255)
    created_at = Timestamptz()


class ReminderRules(Table, tablename="reminder_rules"):
    """A jurisdiction's reminder thresholds, set by its admin on the unit that is the jurisdiction (a province,
    district or commune). A task follows the rules of the nearest unit above its lead unit that has a row,
    else reminders.DEFAULT_RULES."""

    unit = ForeignKey(references=Unit, unique=True)
    # Reminder offsets before the deadline, in working days, comma-separated; 0 means on the day itself.
    before_days = Varchar(length=64, default="3,1,0")
    # Escalation of an overdue task: to the unit head after this many working days, to the leaders after that.
    head_after = Integer(default=1)
    leader_after = Integer(default=3)
    # The daily digest, Vietnamese time, "HH:MM".
    digest_at = Varchar(length=5, default="07:30")
    updated_at = Timestamptz()
    updated_by = Integer(null=True, default=None)
