"""The state folder: claims, audit and feedback files live there on one host."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.errors import ConfigError


def check_state_dir(path: Path) -> None:
    """Refuse a state folder acrbot cannot write, before anything starts writing there.

    The folder is created if missing (the stores would create it anyway) and a
    probe file is written and removed: permission bits say nothing for root,
    and read-only or virtual file systems (``/proc``) only show on a write.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(
            "state_dir",
            f"cannot write to {path} ({exc.strerror or type(exc).__name__}); "
            "set ACRBOT_STATE_DIR or state_dir to a writable folder",
        ) from None
