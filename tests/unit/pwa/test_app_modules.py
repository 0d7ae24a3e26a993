"""The app's JavaScript keeps the shape issue 12 gave it: ES modules with one import graph from main.js and no
cycle in it, every file checked by `tsc` (`// @ts-check`), markup reaching the page only through esc.js (so
nothing typed by a person becomes markup), every request through api.js, no file over 400 lines, and the
service worker told to keep every module of that graph for offline use."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from litestar.testing import create_test_client

from server.app_shell import IMPORT, app_shell_router, shell_files

ROOT = Path(__file__).resolve().parents[3]
PWA = ROOT / "pwa"
SCRIPTS = sorted(PWA.rglob("*.js"))
COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.DOTALL | re.MULTILINE)


def code(path: Path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8"))


def imports() -> dict[str, set[str]]:
    """Each module of pwa/js (as /app/js/...) with the modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in SCRIPTS:
        url = "/app/" + path.relative_to(PWA).as_posix()
        here = url.rsplit("/", 1)[0]
        targets = set()
        for target in IMPORT.findall(path.read_text(encoding="utf-8")):
            parts = (target if target.startswith("/") else f"{here}/{target}").split("/")
            resolved: list[str] = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part not in (".", ""):
                    resolved.append(part)
            targets.add("/" + "/".join(resolved))
        graph[url] = targets
    return graph


def test_every_script_is_type_checked_and_none_is_long() -> None:
    assert len(SCRIPTS) > 15
    unchecked = [p.name for p in SCRIPTS if not p.read_text(encoding="utf-8").startswith("// @ts-check\n")]
    assert not unchecked, f"no // @ts-check at the top of {unchecked}"
    long = {p.name: n for p in SCRIPTS if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"over 400 lines: {long}"


def test_markup_reaches_the_page_only_through_esc_and_requests_only_through_api() -> None:
    sinks = re.compile(r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write")
    raw = [p.name for p in SCRIPTS if p.name != "esc.js" and sinks.search(code(p))]
    assert not raw, f"markup written outside esc.js in {raw}"
    # The service worker's own fetches pass the browser's requests through (the cache's misses, thumbnails).
    fetches = [p.name for p in SCRIPTS if p.name not in ("api.js", "sw.js", "sw-bridge.js")
               and re.search(r"\bfetch\(", code(p))]
    assert not fetches, f"fetch( outside api.js in {fetches}"
    escapes = [p.name for p in SCRIPTS if re.search(r"function esc\b|replace\(/\[&<>", code(p))]
    assert escapes == ["esc.js"], escapes


def test_one_import_graph_without_a_cycle_reaches_every_module() -> None:
    graph = imports()
    index = (PWA / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", index) == ['<script type="module" src="/app/js/main.js">']
    seen: set[str] = set()
    stack = ["/app/js/main.js"]
    while stack:
        url = stack.pop()
        if url not in seen:
            seen.add(url)
            stack.extend(graph[url])
    workers = {"/app/sw.js", "/app/sw-bridge.js"}
    assert seen == set(graph) - workers, f"not imported by anything: {set(graph) - seen - workers}"
    assert graph["/app/sw-bridge.js"] == set()  # a classic worker: it cannot import
    assert graph["/app/sw.js"] == {"/app/js/sync.js"}

    def cycle_from(url: str, path: list[str]) -> list[str] | None:
        if url in path:
            return [*path[path.index(url):], url]
        for target in sorted(graph[url]):
            found = cycle_from(target, [*path, url])
            if found:
                return found
        return None

    cycle = cycle_from("/app/js/main.js", [])
    assert cycle is None, " → ".join(cycle or [])


def test_the_service_worker_keeps_the_whole_graph_and_every_module_is_served_as_javascript() -> None:
    graph = imports()
    with create_test_client(route_handlers=[app_shell_router()]) as client:
        worker = client.get("/service-worker.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert "__SHELL_" not in worker.text
        shell = re.search(r"const SHELL = '([^']*)'", worker.text)
        assert shell is not None
        kept = set(shell.group(1).split(" "))
        assert kept == set(shell_files())
        assert set(graph) - {"/app/sw.js", "/app/sw-bridge.js"} <= kept
        assert {"/app/", "/app/index.html", "/app/offline.html", "/app/manifest.webmanifest", "/app/css/app.css",
                "/app/icons/icon-192.png"} <= kept
        # Phones installed before ask for /sw.js as a classic script: they get a classic worker, which hands over.
        bridge = client.get("/sw.js")
        assert bridge.headers["content-type"].startswith("text/javascript")
        assert bridge.headers["service-worker-allowed"] == "/" and bridge.headers["cache-control"] == "no-cache"
        assert not IMPORT.findall(bridge.text) and "importScripts" not in bridge.text
        # The page asks for every module at once rather than one level of imports after another.
        page = client.get("/app/").text
        assert set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)) == set(graph) - {
            "/app/sw.js", "/app/sw-bridge.js"}
        for url in sorted(kept - {"/app/"}):
            response = client.get(url)
            assert response.status_code == 200, url
            if url.endswith(".js"):
                assert response.headers["content-type"].startswith("text/javascript"), url


def test_typescript_finds_nothing_wrong() -> None:
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    if not tsc.exists() or not shutil.which("node"):
        pytest.skip("TypeScript is not installed here: `make typecheck-js` installs it")
    for config in ("tsconfig.json", "tsconfig.sw.json"):
        result = subprocess.run([str(tsc), "--noEmit", "-p", str(PWA / config)], capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
