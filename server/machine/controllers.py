"""The admin's API for machine keys (a session), and the routes other systems call with a key (no session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter

from server.lib.errors import DomainError
from server.lib.guards import actor_of, admin_only, api_header_middleware
from server.lib.params import ID_MAX
from server.machine import importing, keys, reading
from server.machine.auth import EXCEPTION_HANDLERS, MACHINE_OPT, SYSTEM_KEY_SCHEME, holder_of, requires

ID = Parameter(gt=0, le=ID_MAX)
# The PDF may be up to the attachments' 10 MB and the metadata up to the API's 1 MB of JSON: above this, Litestar
# refuses the body (413) before the import can say in words which part is too large.
MAX_IMPORT_BYTES = 12_000_000


class MachineKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    scopes: Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(min_length=1, max_length=10)]
    unit_id: Annotated[int, msgspec.Meta(ge=1, le=ID_MAX)] | None = None
    rate_per_minute: Annotated[int, msgspec.Meta(ge=1, le=keys.MAX_RATE)] = keys.DEFAULT_RATE


class MachineKeyApiController(Controller):
    """The admin makes, lists and revokes the keys of their jurisdiction. The key itself is in the answer to
    POST only: the list never holds it, nor its digest."""

    path = "/machine-keys"
    tags = ["machine keys"]
    middleware = [api_header_middleware]
    guards = [admin_only]

    @get("/")
    async def list_keys(self, request: Request) -> list[dict[str, Any]]:
        return await keys.list_keys(actor_of(request))

    @post("/", status_code=201)
    async def create_key(self, request: Request, data: MachineKeyCreate) -> dict[str, Any]:
        """The answer's `key` is shown this once: hand it to the other system; only its SHA-256 is kept."""
        return await keys.create_key(actor_of(request), name=data.name, scopes=data.scopes, unit_id=data.unit_id,
                                     rate_per_minute=data.rate_per_minute)

    @delete("/{key_id:int}", status_code=200)
    async def revoke_key(self, request: Request, key_id: int = ID) -> dict[str, Any]:
        """Revoke: the next request with the key gets 401."""
        return await keys.revoke_key(actor_of(request), key_id)


@dataclass
class DirectiveImportForm:
    """multipart/form-data: `metadata`, the directive as JSON text (issuing_body, number, issued_on YYYY-MM-DD,
    title, signer, summary, kind document|meeting_conclusion, tasks: [{ref, title, description, lead_unit (a unit
    code), coordinating_units [codes], deadline YYYY-MM-DD or working_days N, priority}]); `pdf`, the
    directive's PDF (optional, at most 10 MB)."""

    metadata: str
    pdf: UploadFile | None = None


IMPORT_BODY = Body(
    media_type=RequestEncodingType.MULTI_PART,
    title="Văn bản chỉ đạo, tệp PDF và các nhiệm vụ (a directive, its PDF and its tasks)",
    description=DirectiveImportForm.__doc__,
)


class DirectiveImportController(Controller):
    """What another system does with a key (Authorization: Bearer <key>): no session, no cookie. A changing call
    carries X-Requested-With as well, as every changing call of the API does."""

    path = "/"
    tags = ["import"]
    opt = MACHINE_OPT
    # The house's rule for every changing API call (docs/decisions/0001), kept for systems too: one header more
    # for the sender, and one rule with no exception for the tests that hold every route to it.
    middleware = [api_header_middleware]
    exception_handlers = EXCEPTION_HANDLERS
    security = [{SYSTEM_KEY_SCHEME: []}]

    @post("/import/directives", guards=[requires("directives:write")], status_code=201,
          request_max_body_size=MAX_IMPORT_BYTES, responses={
        200: ResponseSpec(data_container=dict[str, Any], description=(
            "Gửi lại (a resend): status 'unchanged', nothing written; or 'revised', what the correction changed")),
    })
    async def import_directive(
        self, request: Request, data: Annotated[DirectiveImportForm, IMPORT_BODY]
    ) -> Response[dict[str, Any]]:
        """Import a directive with its PDF and tasks. 201: created; 200: a resend (`status` "unchanged", nothing
        written) or a correction (`status` "revised", what changed); 422: an unknown unit code (named in
        `details.unit_codes`), and nothing is written. Idempotent on (issuing body, number and symbol, date)."""
        holder = holder_of(request)
        payload = importing.parse(data.metadata.encode())
        pdf, name = None, importing.PDF_NAME
        if isinstance(data.pdf, UploadFile):
            pdf, name = await data.pdf.read(), data.pdf.filename or importing.PDF_NAME
        outcome = await importing.import_directive(holder, actor_of(request), payload, pdf, name)
        return Response(outcome.body, status_code=outcome.status_code)

    @get("/import/directives/{directive_id:int}", guards=[requires("tasks:read")])
    async def imported_directive(self, request: Request, directive_id: int = ID) -> dict[str, Any]:
        """A directive this jurisdiction imported: its fields, its corrections, and its tasks' states today."""
        return await reading.imported_directive(holder_of(request), actor_of(request), directive_id)

    @get("/machine/reports", guards=[requires("reports:read")])
    async def public_reports(
        self,
        request: Request,
        received_from: dt.date | None = Parameter(query="from", default=None),
        received_to: dt.date | None = Parameter(query="to", default=None),
        limit: int = Parameter(default=100, ge=1, le=200),
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
    ) -> dict[str, Any]:
        """Citizens' reports as the public portal shows them (never the reporter): for the province's systems."""
        if received_from and received_to and received_from > received_to:
            raise DomainError("date_range_invalid", "Khoảng ngày không hợp lệ")
        return await reading.public_reports(date_from=received_from, date_to=received_to, limit=limit, offset=offset)
