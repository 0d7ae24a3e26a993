"""The Excel report converts with `libreoffice --headless --convert-to pdf` (skipped when LibreOffice is absent)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.dashboard.seed_data import START, World

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
async def test_report_converts_to_pdf(world: World, client_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(world.j.leader)
    response = await client.get(f"/dashboard/report.xlsx?period=month&start={START.isoformat()}")
    assert response.status_code == 200
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(response.content)
    profile = tmp_path / "lo-profile"
    result = await asyncio.to_thread(
        subprocess.run,
        [str(LIBREOFFICE), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=180, check=False,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr.decode(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        done = await asyncio.to_thread(subprocess.run, [pdftotext, str(pdf), "-"], capture_output=True, timeout=60)
        text = done.stdout.decode()
        assert "BÁO CÁO TỔNG HỢP" in text and "77.0%" in text and "50.0%" in text
