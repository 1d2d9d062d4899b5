"""Reading knowledge files: regular files only, never a FIFO, socket or device.

A ``*.md`` FIFO in the knowledge folder would block a plain ``read()`` until
something writes to it, freezing every reload. Opening with ``O_NONBLOCK``
and checking the opened descriptor (not the path, which may change between
a listing and the read) keeps loading bounded whatever sits in the folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.errors import KnowledgeError

MAX_FILE_BYTES = 20 * 1024 * 1024  # an FAQ page is kilobytes; refuse to slurp anything huge


def is_regular(path: Path) -> bool:
    """True for a regular file (following symlinks); False for FIFOs, sockets, devices."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def read_regular_bytes(path: Path) -> bytes:
    """The file's bytes, or a :class:`KnowledgeError` if it is not a readable regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KnowledgeError(f"{path.name}: not a regular file; skipped")
        if info.st_size > MAX_FILE_BYTES:
            raise KnowledgeError(f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_regular_text(path: Path) -> str:
    """UTF-8 text (a BOM is dropped) of a regular file."""
    try:
        return read_regular_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
