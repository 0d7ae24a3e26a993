"""Machine access: the keys other systems call the API with, and the ledger of the directives they import."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.directives.tables import Directive
from server.people.tables import Person
from server.tasks.tables import Task
from server.units.tables import Unit


class MachineKey(Table, tablename="machine_keys"):
    """A system's API key. Only its SHA-256 is kept (`key_hash`, as the Open311 keys: server/lib/apikeys.py);
    the key is shown once. It acts within `unit`'s subtree with the named `scopes` (space-separated), at most
    `rate_per_minute` requests a minute (`window_*`: one atomic counter per key, shared by every process)."""

    name = Varchar(length=255)
    key_hash = Varchar(length=64, unique=True)
    key_prefix = Varchar(length=16, default="")
    scopes = Varchar(length=500, default="")
    unit = ForeignKey(references=Unit, index=True)
    rate_per_minute = Integer(default=60)
    window_ends = Integer(default=0)
    window_count = Integer(default=0)
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    active = Boolean(default=True)


class DirectiveImport(Table, tablename="directive_imports"):
    """One directive a system sent, under its natural key (the jurisdiction, the issuing body, the number and
    symbol, the issue date): a resend finds it here. `content_hash` tells an identical resend from a corrected
    one; `revision` counts the corrections (0: as first sent)."""

    natural_key = Varchar(length=700, unique=True)
    directive = ForeignKey(references=Directive, index=True)
    content_hash = Varchar(length=64)
    revision = Integer(default=0)
    machine_key = ForeignKey(references=MachineKey, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DirectiveImportTask(Table, tablename="directive_import_tasks"):
    """Which task each of the sender's tasks became: `ref` is the sender's own id for it (or its place in the
    list), so a corrected resend updates that task instead of adding another."""

    directive_import = ForeignKey(references=DirectiveImport, index=True)
    ref = Varchar(length=128)
    task = ForeignKey(references=Task)


class DirectiveRevision(Table, tablename="directive_revisions"):
    """A corrected resend: what changed (JSON: the directive's fields before and after, the tasks added and
    updated, those left as they were because work had started), by which key, when."""

    directive_import = ForeignKey(references=DirectiveImport, index=True)
    directive = ForeignKey(references=Directive, index=True)
    revision = Integer()
    changes = Text(default="{}")
    machine_key = ForeignKey(references=MachineKey, null=True)
    key_name = Varchar(length=255, default="")
    created_at = Timestamptz()
