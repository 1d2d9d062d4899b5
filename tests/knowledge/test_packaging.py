"""A non-editable install (as a Docker image does it) still carries the bundled FAQ."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_wheel_ships_the_knowledge_folder(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("acrbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/_bundled_knowledge/container-registry-faq.zh-cn.md" in names
    assert "bot/_bundled_knowledge/glossary.yaml" in names
    assert "bot/knowledge/calibration.json" in names
    assert not any(name.startswith("tests/") for name in names)
