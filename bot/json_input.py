"""JSON from outside (webhooks, Slack), read so that every string in it can be stored.

JSON may spell a lone UTF-16 surrogate as an escape (``"\\ud83d"``) inside a
body that is valid UTF-8. Python reads it into a ``str`` that no store, log
file or UTF-8 encoder accepts: an alert answered 200 then failed in every
attempt to store or post it, for good. Such a character can only be a mistake
(or mischief): it becomes U+FFFD, the replacement character, as it is read.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
# How a surrogate gets into JSON text that decoded as UTF-8: only as an escape. A body
# without one is returned as json.loads reads it, with no walk over its values.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def storable(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot encode) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def loads(text: str) -> Any:
    """:func:`json.loads`, with every lone surrogate in a key or a string made U+FFFD.

    Raises ``ValueError`` for anything that is not JSON, nesting too deep included.
    """
    try:
        data = json.loads(text)
        return _mended(data) if _SURROGATE_ESCAPE.search(text) else data
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _mended(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_mended(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): _mended(item) for key, item in value.items()}
    return value
