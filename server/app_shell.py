"""The officers' and leaders' installable app: the files of pwa/ under /app/, its service worker at
/service-worker.js, and at /sw.js the classic bridge that moves phones installed before to it.

The service worker lives at the root so that its scope may cover the app and the API it replays to; it is
served with `Cache-Control: no-cache` so the browser checks for a new version on every navigation. Its
cache name carries a hash of every shell file: any change to the shell makes new bytes, a new version,
a new cache, and a clean upgrade (the outbox lives in IndexedDB and is not touched).

The app's scripts are ES modules with one entry, `js/main.js`, loaded by index.html; the service worker is a
module worker that imports the outbox's replay from the same files. The files it keeps for offline use are
read here from that import graph (with the pages, styles and icons), so no list of scripts is kept by hand.
A phone installed before asks for /sw.js as a classic script, where a module cannot load: it gets
pwa/sw-bridge.js, which hands it over.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import posixpath
import re
from pathlib import Path

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException

from server.settings import PROJECT_ROOT

PWA_DIR = PROJECT_ROOT / "pwa"
VERSION_PLACEHOLDER = "__SHELL_VERSION__"
FILES_PLACEHOLDER = "__SHELL_FILES__"
NOT_SHELL = {"README.md", "tsconfig.json", "tsconfig.sw.json"}
MODULE_SCRIPT = re.compile(r'<script\s+type="module"\s+src="([^"]+)"')
# Static imports only (`import ... from '...'`, `import '...'`), at the start of a line; the app has no dynamic ones.
IMPORT = re.compile(r"""^import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]""", re.MULTILINE)
TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


@functools.cache
def shell_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(PWA_DIR.rglob("*")):
        if path.is_file() and path.name != "README.md":
            digest.update(str(path.relative_to(PWA_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def shell_files() -> tuple[str, ...]:
    """What the service worker keeps for offline use: every page, style and icon of pwa/, and every script
    index.html loads as a module with all that it imports."""
    files = ["/app/"]
    for path in sorted(PWA_DIR.rglob("*")):
        if path.is_file() and path.suffix != ".js" and path.name not in NOT_SHELL:
            files.append("/app/" + path.relative_to(PWA_DIR).as_posix())
    index = (PWA_DIR / "index.html").read_text(encoding="utf-8")
    queue = list(MODULE_SCRIPT.findall(index))
    scripts: list[str] = []
    while queue:
        url = queue.pop(0)
        if url in scripts:
            continue
        scripts.append(url)
        source = _file(url.removeprefix("/app/")).read_text(encoding="utf-8")
        here = posixpath.dirname(url)
        queue.extend(posixpath.normpath(posixpath.join(here, target)) for target in IMPORT.findall(source))
    return (*files, *sorted(scripts))


@functools.cache
def index_page() -> bytes:
    """index.html with every module of the graph preloaded: the browser fetches them all at once instead of
    finding each level of imports only after the one above has arrived (a slower start offline)."""
    links = "".join(f'<link rel="modulepreload" href="{url}">\n' for url in shell_files() if url.endswith(".js"))
    return (PWA_DIR / "index.html").read_text(encoding="utf-8").replace("</head>", links + "</head>", 1).encode()


def _file(relative: str) -> Path:
    relative = relative.lstrip("/") or "index.html"
    path = (PWA_DIR / relative).resolve()
    if not path.is_relative_to(PWA_DIR.resolve()) or not path.is_file() or path.name == "README.md":
        raise NotFoundException()
    return path


def _content_type(path: Path) -> str:
    return TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _worker(body: str) -> Response[bytes]:
    return Response(
        content=body.encode(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/", **SECURITY_HEADERS},
    )


@get("/service-worker.js", opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def service_worker() -> Response[bytes]:
    return _worker(
        (PWA_DIR / "sw.js").read_text(encoding="utf-8")
        .replace(VERSION_PLACEHOLDER, shell_version())
        .replace(FILES_PLACEHOLDER, " ".join(shell_files()))
    )


@get("/sw.js", opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def classic_bridge() -> Response[bytes]:
    return _worker((PWA_DIR / "sw-bridge.js").read_text(encoding="utf-8"))


@get(["/app", "/app/{relative:path}"], opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def app_file(relative: str = "/") -> Response[bytes]:
    path = _file(relative)
    # The service worker keeps the shell in a versioned cache; the network copy is revalidated every time.
    return Response(
        content=index_page() if path == PWA_DIR / "index.html" else path.read_bytes(),
        media_type=_content_type(path),
        headers={"Cache-Control": "no-cache", **SECURITY_HEADERS},
    )


def app_shell_router() -> Router:
    return Router(path="/", route_handlers=[service_worker, classic_bridge, app_file], opt={"public": True})
