"""Whether an ABAC role-assignment condition lets one action on one repository through.

Azure's condition language (version 2.0) joins expressions with AND/OR
(``&&``/``||``), negates with NOT/``!``, and groups with parentheses; it
refuses AND and OR mixed at one level without them, so such a text is not
read. Evaluation is three-valued: an expression acrbot cannot judge (another
attribute, a numeric or date operator) is None, and None only decides the
result when nothing certain does (``None OR True`` is True, ``None AND False``
is False). Any text that does not parse is None as a whole, so an unread
condition never counts as granting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["action_matches", "condition_allows"]

_TOKEN_RE = re.compile(
    r"\s*(?:"
    r"(?P<str>'(?:[^']|'')*')"
    r"|(?P<attr>@[A-Za-z]+\[[^\]]*\])"
    r"|(?P<op>&&|\|\||!|\(|\)|\{|\}|,)"
    r"|(?P<guid>[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})"  # unquoted, as Azure writes
    r"|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*(?::[A-Za-z][A-Za-z0-9_]*)?)"
    r")"
)
_LITERAL = re.compile(
    r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|-?\d+(?:\.\d+)?|[A-Za-z]\w*"
)
_LOGIC = {"and": "and", "&&": "and", "or": "or", "||": "or"}
# Parentheses and negations deeper than this are not read (Azure allows 8,192 characters:
# enough for a thousand, and each level is a Python call).
MAX_DEPTH = 64
_QUANTIFIERS = {
    "foranyofanyvalues": any,
    "forallofanyvalues": any,  # the repository name is one value: "all of" it is "any of" it
    "foranyofallvalues": all,
    "forallofallvalues": all,
}
_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda left, right: left == right,
    "stringstartswith": lambda left, right: left.startswith(right),
    "stringlike": lambda left, right: _like(right, left),
}

Truth = bool | None


class _Unreadable(Exception):
    """The text is not a condition acrbot can parse."""


@dataclass(frozen=True)
class _Request:
    action: str  # lower case
    attribute: str  # lower case, e.g. microsoft.containerregistry/registries/repositories:name
    value: str


def condition_allows(condition: str, action: str, attribute: str, value: str) -> Truth:
    """True/False for a request doing ``action`` where ``attribute`` is ``value``; None: unknown."""
    request = _Request(action.lower(), attribute.lower(), value)
    try:
        parser = _Parser(_tokens(condition), request)
        result = parser.expression()
        parser.finish()
    except _Unreadable:
        return None
    return result


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    text, position = text.rstrip(), 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise _Unreadable(text[position:])
        tokens.append(match.group(match.lastgroup or ""))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], request: _Request) -> None:
        self.tokens = tokens
        self.at = 0
        self.request = request
        self.depth = 0

    def peek(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if not token or (expected is not None and token.lower() != expected):
            raise _Unreadable(token)
        self.at += 1
        return token

    def finish(self) -> None:
        if self.at != len(self.tokens):
            raise _Unreadable(self.peek())

    def expression(self) -> Truth:
        results = [self.term()]
        joins = set()
        while (join := _LOGIC.get(self.peek().lower())) is not None:
            self.take()
            joins.add(join)
            results.append(self.term())
        if len(joins) > 1:
            raise _Unreadable("AND and OR mixed without parentheses")
        return _and(results) if joins == {"and"} else _or(results)

    def term(self) -> Truth:
        token = self.peek()
        if token == "!" or token.lower() == "not":
            self.take()
            return _not(self.nested(self.term))
        if token == "(":
            self.take()
            result = self.nested(self.expression)
            self.take(")")
            return result
        return self.atom()

    def nested(self, parse: Callable[[], Truth]) -> Truth:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unreadable("nested too deeply")
        try:
            return parse()
        finally:
            self.depth -= 1

    def atom(self) -> Truth:
        token = self.take()
        lowered = token.lower()
        if lowered == "actionmatches":
            patterns = self.values()
            if patterns is None:
                return None
            return any(action_matches(p, self.request.action) for p in patterns)
        if lowered == "suboperationmatches":
            self.values()
            return None
        if lowered in ("exists", "notexists"):
            present = self.is_request_attribute(self.take())
            return None if not present else lowered == "exists"
        return self.comparison(token)

    def comparison(self, left: str) -> Truth:
        operator = self.take()
        right = self.operand()
        if not self.is_request_attribute(left) or right is None:
            return None
        quantifier, _, name = operator.lower().rpartition(":")
        return _compare(quantifier, name, right, self.request.value)

    def operand(self) -> list[str] | None:
        """The right-hand side as strings; None for a value acrbot does not compare."""
        if self.peek() == "{":
            return self.values()
        value = self.value()
        return None if value is None else [value]

    def values(self) -> list[str] | None:
        """A ``{…}`` list of strings; None when it holds a value acrbot does not compare."""
        self.take("{")
        found = [self.value()]
        while self.peek() == ",":
            self.take()
            found.append(self.value())
        self.take("}")
        strings = [v for v in found if v is not None]
        return strings if len(strings) == len(found) else None

    def value(self) -> str | None:
        """A quoted string; None for a GUID, number or word (compared by other operators)."""
        token = self.take()
        if token.startswith("'"):
            return _unquote(token)
        if _LITERAL.fullmatch(token):
            return None
        raise _Unreadable(token)

    def is_request_attribute(self, token: str) -> bool:
        match = re.fullmatch(r"@(?:request|resource)\[\s*(.*?)\s*\]", token, re.IGNORECASE)
        return match is not None and match.group(1).lower() == self.request.attribute


def _compare(quantifier: str, name: str, right: Sequence[str], value: str) -> Truth:
    fold = name.endswith("ignorecase")
    base = name.removesuffix("ignorecase")
    negated = base.startswith("stringnot")
    test = _STRING_TESTS.get(base.replace("stringnot", "string", 1))
    combine = _QUANTIFIERS.get(quantifier) if quantifier else None
    if test is None or (quantifier and combine is None) or (not quantifier and len(right) != 1):
        return None
    left = value.lower() if fold else value
    results = [test(left, r.lower() if fold else r) != negated for r in right]
    return (combine or all)(results)


def _unquote(token: str) -> str:
    if len(token) < 2 or not (token.startswith("'") and token.endswith("'")):
        raise _Unreadable(token)
    return token[1:-1].replace("''", "'")


def _like(pattern: str, text: str) -> bool:
    """StringLike: ``*`` and ``?`` are wildcards unless escaped with a backslash."""
    pieces: list[list[str | None]] = [[]]  # the runs between stars; None: any one character
    for part in re.split(r"(\\[*?]|[*?])", pattern):
        if part == "*":
            pieces.append([])
        elif part == "?":
            pieces[-1].append(None)
        else:
            pieces[-1].extend(part[1:] if part in ("\\*", "\\?") else part)
    return _wildcard(pieces, text)


def action_matches(pattern: str, action: str) -> bool:
    """Azure's action pattern match: case-insensitive, ``*`` standing for any run of characters."""
    return _wildcard([list(piece) for piece in pattern.lower().split("*")], action.lower())


def _wildcard(pieces: Sequence[Sequence[str | None]], text: str) -> bool:
    """Whether ``text`` is the pieces with any runs of characters between them.

    The first piece must start the text and the last end it; each piece between
    is found leftmost after the one before (a run of fixed length, so the leftmost
    place leaves the most room). Linear in the text for each piece, where a
    regular expression of ``.*`` backtracks exponentially with the stars.
    """
    if len(pieces) == 1:
        return len(text) == len(pieces[0]) and _fits(pieces[0], text, 0)
    first, *middle, last = pieces
    if len(first) + len(last) > len(text) or not _fits(first, text, 0):
        return False
    end = len(text) - len(last)
    if not _fits(last, text, end):
        return False
    at = len(first)
    for piece in middle:
        at = next((i for i in range(at, end - len(piece) + 1) if _fits(piece, text, i)), -1)
        if at < 0:
            return False
        at += len(piece)
    return True


def _fits(piece: Sequence[str | None], text: str, at: int) -> bool:
    return all(c is None or text[at + i] == c for i, c in enumerate(piece))


def _not(value: Truth) -> Truth:
    return None if value is None else not value


def _and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False
