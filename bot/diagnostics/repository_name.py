"""Turn what a person typed into a repository name the registry could hold.

A repository is named by Docker distribution's rules: lower-case path
components of letters and digits joined by one ``.``, one or two ``_`` or any
number of ``-``, separated by ``/``, at most 255 characters in all. Only a
name of that shape is ever put into a token scope (``repository:NAME:pull``),
so nothing typed can widen or change the scope; a refusal shows only a
short, defanged preview of the input.
"""

from __future__ import annotations

import re

from bot.diagnostics.errors import InvalidRepositoryName
from bot.diagnostics.registry_name import preview

MAX_REPOSITORY = 255
# Separators and letters/digits are disjoint sets, so the pattern cannot backtrack far.
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_{1,2}|-+)[a-z0-9]+)*"
REPOSITORY_RE = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")

HOW_TO_NAME = (
    "Repository names are lower-case letters and digits, joined by '.', '_', '__' or '-', "
    "with '/' between parts (for example team/web-app), and no tag or digest."
)


def parse_repository(text: str) -> str:
    """``text`` as a repository name, or :class:`InvalidRepositoryName` saying why."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRepositoryName(f"No repository was given. {HOW_TO_NAME}")
    name = text.strip()
    if len(name) > MAX_REPOSITORY:
        raise InvalidRepositoryName(
            f"That is too long to be a repository name ({len(name)} characters, at most "
            f"{MAX_REPOSITORY}). {HOW_TO_NAME}"
        )
    if REPOSITORY_RE.fullmatch(name):
        return name
    if ":" in name or "@" in name:
        problem = "it has a tag or digest; give the repository alone"
    elif name != name.lower():
        problem = "repository names are lower case"
    else:
        problem = "it is not made of valid path components"
    raise InvalidRepositoryName(
        f"'{preview(name)}' is not a repository name: {problem}. {HOW_TO_NAME}"
    )
