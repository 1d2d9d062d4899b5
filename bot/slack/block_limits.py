"""Slack's Block Kit limits, in one place.

Builders clip text with :func:`clip` and pack long answers with
:func:`pack`; :func:`check` is the last look before anything is sent, so a
message Slack would reject with ``invalid_blocks`` never leaves acrbot.
Every limit is checked here, per object (text lengths, element counts) and
message-wide (50 blocks, unique ids), whether a message was built from
plain dicts (block_kit.py) or slack_sdk's typed models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_BLOCKS = 50
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ID_LENGTH = 255
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
CONFIRM = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
FALLBACK_TEXT = 3000  # Slack allows more; notifications show far less


class BlockLimitError(ValueError):
    """A message would break a Block Kit limit; the message lists each problem."""


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))].rstrip() + ellipsis


def pack(pieces: Iterable[str], limit: int = SECTION_TEXT) -> list[str]:
    """Join pieces into texts of at most ``limit`` characters, splitting only if one is too long."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        for part in _split(piece, limit):
            if current and len(current) + 2 + len(part) > limit:
                packed.append(current)
                current = ""
            current = f"{current}\n\n{part}" if current else part
    if current:
        packed.append(current)
    return packed


def _split(piece: str, limit: int) -> list[str]:
    """Cut an over-long piece at line ends, closing and reopening code fences.

    Every part fits ``limit`` (room for the closing fence included), no part
    is an empty code block, and a line longer than a part is cut in pieces
    (at a space when it can be, never inside a ``<link>`` or ``&entity;``)
    rather than dropped.
    """
    if len(piece) <= limit:
        return [piece]
    parts: list[str] = []
    lines: list[str] = []
    used = 0  # len("\n".join(lines)) + 1 when lines, else 0
    fenced = False  # whether `lines` ends inside a code fence
    queue = piece.split("\n")[::-1]
    while queue:
        line = queue.pop()
        toggles = line.strip().startswith("```")
        after = fenced != toggles
        room = limit - used - (4 if after else 0)  # 4: "\n```" to close the fence
        if len(line) <= room:
            lines.append(line)
            used += len(line) + 1
            fenced = after
        elif fenced and toggles:  # a closing fence that does not fit: close with "```"
            parts.append("\n".join([*lines, "```"]))
            lines, used, fenced = [], 0, False
        elif lines and not (fenced and len(lines) == 1):  # more than an opening fence
            parts.append("\n".join(lines) + ("\n```" if fenced else ""))
            lines, used = (["```"], 4) if fenced else ([], 0)
            queue.append(line)
        else:  # the line alone is too long: cut it
            head, tail = _cut(line, max(room, 1))
            lines.append(head)
            used += len(head) + 1
            fenced = after
            queue.append(tail)
    if any(line.strip() for line in lines):
        parts.append("\n".join(lines))
    return parts


def _cut(line: str, width: int) -> tuple[str, str]:
    """(head, rest) with ``len(head) <= width``, at a space in the second half if there is one."""
    end = _safe_end(line, width)
    space = line.rfind(" ", 0, end + 1)
    while space > end // 2:
        if _safe_end(line, space) == space:
            return line[:space], line[space + 1 :]
        space = line.rfind(" ", 0, space)
    return line[:end], line[end:]


def _safe_end(line: str, end: int) -> int:
    """The largest cut ≤ ``end`` that splits no ``&entity;`` and no ``<link|label>``."""
    amp = line.rfind("&", max(0, end - 7), end)
    if amp > 0 and line.find(";", amp, end) < 0:
        end = amp
    opened = line.rfind("<", 0, end)
    if opened > 0 and line.rfind(">", 0, end) < opened:
        end = opened
    return end


def check(blocks: list[Mapping[str, Any]], max_blocks: int = MAX_BLOCKS) -> None:
    """``max_blocks``: 50 in a message, 100 in a modal or a Home tab."""
    problems = problems_in(blocks, max_blocks)
    if problems:
        raise BlockLimitError("; ".join(problems))


def problems_in(blocks: list[Mapping[str, Any]], max_blocks: int = MAX_BLOCKS) -> list[str]:
    """Every limit ``blocks`` break, each said with where it is (none: an empty list).

    Every ack that answers runs this, so a place is put into words only once
    something there is wrong.
    """
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks, at most {max_blocks}")
    block_ids: set[str] = set()
    for number, block in enumerate(blocks):
        where = f"blocks[{number}]"
        block_id = block.get("block_id")
        if block_id:
            if block_id in block_ids:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
            _longer(problems, block_id, ID_LENGTH, where, ".block_id")
        _block(problems, block, where)
    return problems


def _block(problems: list[str], block: Mapping[str, Any], where: str) -> None:
    kind = block.get("type")
    if kind == "section":
        _longer(problems, _text(block.get("text")), SECTION_TEXT, where, ".text")
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            problems.append(f"{where}: {len(fields)} fields, at most {SECTION_FIELDS}")
        for i, f in enumerate(fields):
            _longer(problems, _text(f), FIELD_TEXT, where, f".fields[{i}]")
        if block.get("accessory"):
            _element(problems, block["accessory"], where, ".accessory")
    elif kind == "header":
        _longer(problems, _text(block.get("text")), HEADER_TEXT, where, ".text")
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            problems.append(f"{where}: {len(elements)} elements, at most {ACTIONS_ELEMENTS}")
        action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            problems.append(f"{where}: duplicate action_id")
        for i, element in enumerate(elements):
            _element(problems, element, where, ".elements[", str(i), "]")
    elif kind == "context" and len(block.get("elements") or []) > CONTEXT_ELEMENTS:
        problems.append(f"{where}: more than {CONTEXT_ELEMENTS} context elements")


def _element(problems: list[str], element: Mapping[str, Any], *where: str) -> None:
    if element.get("type") != "button":
        return
    _longer(problems, _text(element.get("text")), BUTTON_TEXT, *where, ".text")
    _longer(problems, element.get("value") or "", BUTTON_VALUE, *where, ".value")
    _longer(problems, element.get("url") or "", BUTTON_URL, *where, ".url")
    _longer(problems, element.get("action_id") or "", ID_LENGTH, *where, ".action_id")
    confirm = element.get("confirm")
    if confirm:
        for key, limit in CONFIRM.items():
            _longer(problems, _text(confirm.get(key)), limit, *where, ".confirm.", key)


def _text(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return str(obj.get("text") or "")
    return str(obj or "")


def _longer(problems: list[str], text: str, limit: int, *where: str) -> None:
    """Note ``text`` if it is over ``limit``; ``where`` is joined only then."""
    if len(text) > limit:
        problems.append(f"{''.join(where)} has {len(text)} characters, at most {limit}")
