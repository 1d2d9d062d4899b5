"""Does a text carry a secret? The gate in front of captured answers, which everyone reads.

Two kinds of evidence: a label (``password=…``, ``AccountKey=…``, ``docker
login … -p …``, the token patterns the logs mask: Slack, bearer, OAuth) and
a look (a JWT, a private key block, or a long run that is mixed case with
digits, varied like random text, and is neither hex, a path nor words).
Placeholders (``<password>``, ``$VAR``, ``${{ secrets.X }}``, ``***``) are
not secrets. Measured on tests/knowledge/test_capture_secrets.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from bot.logs import redact

# What the logs mask (Slack tokens, bearer tokens, OAuth tokens) is found by redact();
# these add what an answer about registries is likely to carry by mistake.
_SECRETS = (
    (re.compile(r"(?<![\w-])eyJ[\w-]{8,}+\.[\w-]{8,}+\.[\w-]*+"), "a JSON web token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (
        re.compile(r"(?i)(?:AccountKey|SharedAccessKey|sig|client_secret)=[A-Za-z0-9+/%=_-]{16,}"),
        "an Azure key or signature",
    ),
    (
        re.compile(
            r"(?i)(?:passw(?:or)?d|passwd|pwd|secret|aws_secret_access_key|密码|密碼|口令)"
            r"\s*[:=：＝]\s*[\"'“]?(?![<$*{\[%])"
            # not words in Chinese, nor a Latin word run into them ("密码：admin用户的密码")
            r"[^\s\"'<>”\u3000-\u9fff\uff00-\uffef]{4,}+(?![\u3400-\u9fff])"
        ),
        "a password",
    ),
    (  # a literal piped to a login: echo 'S3cret!' | docker login … --password-stdin
        re.compile(
            r"(?m)\b(?:echo|printf)\s+(?:-[a-z]+\s+)*(?:[\"']?%s[\"']?\s+)?"
            r"[\"']?(?![<$*{\[%-])[^\s\"'<>|]{4,}[\"']?\s*\|[^\n|;&]*\blogin\b"
        ),
        "a password piped to a login",
    ),
    (  # GitHub, GitLab and AWS access keys: fixed prefixes, so no entropy guess is needed
        re.compile(
            r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|glpat-[\w-]{20,}"
            r"|(?:AKIA|ASIA)[0-9A-Z]{16})(?![\w-])"
        ),
        "an access token",
    ),
    (
        re.compile(r"--password[ =][\"']?(?![<$*{\[%-])[^\s\"'<>]{4,}"),
        "a password on a command line",
    ),
    (  # `docker login … -p VALUE` (elsewhere -p is a port, a path, a profile)
        re.compile(r"(?m)\blogin\b[^\n]*?(?<![\w-])-p[ =][\"']?(?![<$*{\[%-])[^\s\"'<>]{4,}"),
        "a password on a command line",
    ),
)
# A run that looks like a generated key: long, mixed case and digits, not hex (digests and
# commit hashes are hex), and as varied as random text (a resource path is not).
_KEY_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=]{32,}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WORDISH = re.compile(r"[a-z]{8,}|(?:^|/)[A-Za-z]{4,}(?=/)")  # a long word, a path segment
MIN_KEY_ENTROPY = 4.0  # bits per character; random base64 of 32+ characters is about 4.5-5


def secret_in(text: str) -> str | None:
    """What kind of secret ``text`` seems to carry, or None."""
    if redact(text) != text:
        return "a token"
    for pattern, what in _SECRETS:
        if pattern.search(text):
            return what
    if any(_looks_generated(run) for run in _KEY_RUN.findall(text)):
        return "a long key"
    return None


def _looks_generated(run: str) -> bool:
    core = run.strip("=")
    if _HEX.fullmatch(core) or "//" in core or _WORDISH.search(core):
        return False  # a digest, a URL or path, an identifier made of words
    if not (any(c.isupper() for c in core) and any(c.islower() for c in core)):
        return False
    if not any(c.isdigit() for c in core):
        return False
    counts = Counter(core)
    entropy = -sum(n / len(core) * math.log2(n / len(core)) for n in counts.values())
    return entropy >= MIN_KEY_ENTROPY
