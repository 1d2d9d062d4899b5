"""The closed catalogue of diagnostics: these four checks and nothing else can run.

``CHECKS`` is read-only; a request naming anything that is not a key here is
refused before access rules are even consulted. Adding a check means adding
it here, in review, where its steps can be seen to only read.
"""

from __future__ import annotations

from types import MappingProxyType

from bot.diagnostics.catalogue import CHECK_NAMES
from bot.diagnostics.checks.base import Check, CheckContext, Resolver, run_check
from bot.diagnostics.checks.health import CHECK_HEALTH
from bot.diagnostics.checks.info import INFO
from bot.diagnostics.checks.usage import USAGE
from bot.diagnostics.pull.check import PULL

DEFAULT_CHECK = CHECK_HEALTH.name

CHECKS: MappingProxyType[str, Check] = MappingProxyType(
    {check.name: check for check in (CHECK_HEALTH, USAGE, INFO, PULL)}
)
if tuple(CHECKS) != CHECK_NAMES:  # the list settings validate against, kept in step
    raise ImportError("bot.diagnostics.catalogue.CHECK_NAMES must name exactly these checks")

__all__ = ["CHECKS", "DEFAULT_CHECK", "Check", "CheckContext", "Resolver", "run_check"]
