"""Machine access: API keys for other systems (the document system, the province's portal), and the directive
import they call with a key."""

from __future__ import annotations

from litestar import Router


def __getattr__(name: str) -> Router:
    # `router` is built on demand, not at import: importing a domain's tables must not pull in its controllers.
    if name == "router":
        from server.machine.controllers import DirectiveImportController, MachineKeyApiController
        from server.machine.pages import MachineKeyDeskController

        api = Router(path="/api/v1", route_handlers=[MachineKeyApiController, DirectiveImportController])
        return Router(path="/", route_handlers=[api, MachineKeyDeskController])
    raise AttributeError(name)
