"""Citizen reports (phản ánh hiện trường) and voter petitions (kiến nghị cử tri), their routing and their public face.

The reporter's name, phone and e-mail live only in `reports` columns prefixed `reporter_`; nothing public
ever selects them (see services.PUBLIC_COLUMNS).
"""

from enum import StrEnum

from piccolo.columns import Boolean, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.units.tables import Unit


class ReportStatus(StrEnum):
    new = "new"  # received, waiting for triage
    accepted = "accepted"  # a task exists for a unit
    resolved = "resolved"  # the leader approved the unit's answer; it is public
    rejected = "rejected"  # spam or out of scope, with a public reason
    duplicate = "duplicate"  # merged into another report


class ReportKind(StrEnum):
    report = "report"
    petition = "petition"


class Category(Table, tablename="report_categories"):
    """What citizens can report, each with its published response time (also an Open311 service)."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=255)
    description = Text(default="")
    group_name = Varchar(length=255, default="")
    target_days = Integer(default=5)
    default_unit = ForeignKey(references=Unit, null=True)
    active = Boolean(default=True)
    sort_order = Integer(default=0)


class AreaKind(StrEnum):
    commune = "commune"  # a commune: its drawn boundary if any, else reports whose address names it
    polygon = "polygon"  # any area the admin draws


class Area(Table, tablename="report_areas"):
    """A commune or any drawn area, used by routing rules.

    `polygon` is a GeoJSON Polygon or MultiPolygon geometry ([longitude, latitude] positions, closed rings),
    validated by routing.validate_geometry; rows written before GeoJSON hold a list of [lat, lon] points,
    which routing.parse_polygon still reads. Empty: a polygon area matches everywhere, a commune matches by
    its name in the report's address. `unit` is the commune's unit, for a commune area.
    """

    name = Varchar(length=255)
    polygon = Text(default="")
    unit = ForeignKey(references=Unit, null=True)
    kind = Varchar(length=16, choices=AreaKind, default=AreaKind.polygon.value)


class RoutingRule(Table, tablename="report_routing_rules"):
    """Category + area → unit. A rule with no category or no area matches any; the most specific wins."""

    category = ForeignKey(references=Category, null=True, index=True)
    area = ForeignKey(references=Area, null=True)
    unit = ForeignKey(references=Unit)
    priority = Integer(default=0)


class Report(Table, tablename="reports"):
    code = Varchar(length=16, unique=True)
    kind = Varchar(length=16, choices=ReportKind, default=ReportKind.report.value, index=True)
    category = ForeignKey(references=Category, null=True, index=True)
    description = Text(default="")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    address = Varchar(length=500, default="")
    status = Varchar(length=16, choices=ReportStatus, default=ReportStatus.new.value, index=True)
    source = Varchar(length=16, default="portal")  # portal, open311, council
    # Private: never in a public page, JSON or XML.
    reporter_name = Varchar(length=255, default="")
    reporter_phone = Varchar(length=32, default="", index=True)
    reporter_email = Varchar(length=255, default="")
    # The language the citizen wrote in (the portal's, at the time): their e-mails are written in it.
    reporter_locale = Varchar(length=8, default="vi")
    consent_at = Timestamptz(null=True, default=None)
    client_ip_hash = Varchar(length=64, default="")
    # Hash of the private key given to the reporter (link in the confirmation): only they may rate.
    owner_key_hash = Varchar(length=64, default="")
    open311_key = Integer(null=True, default=None)
    # The life of the report.
    received_at = Timestamptz(index=True)
    triaged_at = Timestamptz(null=True, default=None)
    first_answer_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    target_days = Integer(default=5)
    unit = ForeignKey(references=Unit, null=True, index=True)
    task_id = Integer(null=True, default=None, index=True)
    public_answer = Text(default="")
    reject_kind = Varchar(length=16, default="")
    public_reason = Text(default="")
    duplicate_of = ForeignKey(references="self", null=True)
    rating = Integer(null=True, default=None)
    rating_comment = Text(default="")
    rated_at = Timestamptz(null=True, default=None)
    # Voter petitions (kiến nghị cử tri): recorded by council staff.
    petition_session = Varchar(length=255, default="", index=True)
    constituency = Varchar(length=255, default="")
    deputies = Text(default="")
    voters_group = Varchar(length=500, default="")
    search_text = Text(default="")
    # Open311 `media_url` given by the client application: stored and returned, never fetched by the server.
    media_url = Varchar(length=2048, default="")
    # When the retention job deleted the reporter's personal data (services.delete_expired_personal_data).
    personal_data_deleted_at = Timestamptz(null=True, default=None)
    # The point came from the first photo's EXIF GPS (a form sent without JavaScript), not from the citizen's
    # choice: staff use it (routing, duplicates, the map), the public never sees it, like the photos' metadata.
    point_from_photo = Boolean(default=False)


class ReportPhoto(Table, tablename="report_photos"):
    """A photo's private original (stored file id) and its public derivatives, metadata stripped.

    `original_sha256` is emptied when the retention job deletes the original; the derivatives stay.
    """

    report = ForeignKey(references=Report, index=True)
    kind = Varchar(length=8, default="before")  # before (the citizen's) or after (the unit's)
    original_sha256 = Varchar(length=64)
    public_sha256 = Varchar(length=64, default="", index=True)
    thumb_sha256 = Varchar(length=64, default="", index=True)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    position = Integer(default=0)
    created_at = Timestamptz()


class ReportEvent(Table, tablename="report_events"):
    """The public timeline; `note` is public text, `actor_id` stays internal."""

    report = ForeignKey(references=Report, index=True)
    kind = Varchar(length=32)
    note = Text(default="")
    actor_id = Integer(null=True, default=None)
    at = Timestamptz()


class Open311Key(Table, tablename="open311_keys"):
    """An integrator's Open311 API key. Only its SHA-256 is kept (`key`), so a copy of the database gives no
    one the right to post; the key itself is shown once, when it is made. The prefix tells keys apart."""

    key = Varchar(length=64, unique=True)
    key_prefix = Varchar(length=8, default="")
    name = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz()


class MailOutbox(Table, tablename="report_mail_outbox"):
    """The local mail sink: the worker (or an SMTP strategy) sends these; development and tests read them."""

    to_address = Varchar(length=255)
    subject = Varchar(length=500)
    body = Text()
    report = ForeignKey(references=Report, null=True)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
