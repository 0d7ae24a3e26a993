"""Time the photo pipeline on a phone-sized photo: a ~4 MB, 12 MP (4032 × 3024) JPEG.

    .venv/bin/python -m bench.media_bench
    .venv/bin/python -m bench.media_bench --runs 15 --warm 2

Steps timed, each the median of --runs after --warm runs (wall clock, and CPU time), on one thread (as the
worker runs it):
- inspect: the upload's check (header size, then one reduced-scale decode that catches truncated files);
- derive: the 1600 px display WebP and the 320 px thumbnail (decode, orientation, sRGB, resize, encode);
- derive+store: the worker's whole job minus the database: read the original from LocalStorage, derive,
  hash and store both copies (in a temporary directory).
The photo is synthetic: gradients under strong noise, so that at JPEG quality 85 it weighs ~4 MB like a phone's
12 MP photo (noise is harder to encode than a real scene: the WebP figures are on the pessimistic side).
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

WIDTH, HEIGHT = 4032, 3024


def phone_photo(width: int = WIDTH, height: int = HEIGHT, noise: float = 60.0, quality: int = 85) -> bytes:
    """A 12 MP JPEG of about 4 MB with a rotated Orientation tag and GPS, like a phone's."""
    across = Image.linear_gradient("L").resize((width, height))
    down = across.rotate(90).resize((width, height))
    grain = [Image.effect_noise((width, height), noise) for _ in range(3)]
    image = Image.merge("RGB", [
        ImageChops.blend(across, grain[0], 0.3),
        ImageChops.blend(down, grain[1], 0.3),
        ImageChops.blend(across.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grain[2], 0.3),
    ])
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[2] = (21.0, 1.0, 42.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def _time(call: Callable[[], Any], warm: int, runs: int) -> tuple[float, float, float, float]:
    """(median, min, max) wall-clock ms and the median CPU ms: on a shared machine the CPU time is the figure
    that depends least on other work."""
    for _ in range(warm):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), min(wall), max(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warm", type=int, default=1)
    args = parser.parse_args()

    from server.media import images, services
    from server.media.storage import LocalStorage

    data = phone_photo()
    sha = hashlib.sha256(data).hexdigest()
    display, thumb = images.derive(data, "image/jpeg")
    print(f"photo: {WIDTH}x{HEIGHT} JPEG, {len(data) / 1e6:.2f} MB; display {display.width}x{display.height} "
          f"{len(display.data) / 1e3:.0f} kB, thumb {thumb.width}x{thumb.height} {len(thumb.data) / 1e3:.1f} kB")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average before {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="media-bench-") as root:
        storage = LocalStorage(Path(root))
        storage.put(sha, data)
        steps = {
            "inspect (upload check)": lambda: images.inspect(data, "image/jpeg"),
            "derive (display + thumb)": lambda: images.derive(data, "image/jpeg"),
            "derive+store (worker job, no DB)": lambda: services._derive_and_store(storage, sha, "image/jpeg"),
        }
        print(f"{'step':36} {'median ms':>10} {'min':>8} {'max':>8} {'CPU ms':>8}   "
              f"({args.runs} runs after {args.warm} warm)")
        for name, call in steps.items():
            median, low, high, cpu = _time(call, args.warm, args.runs)
            print(f"{name:36} {median:10.0f} {low:8.0f} {high:8.0f} {cpu:8.0f}")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
