"""What acrbot prints to a terminal carries no escape sequence from outside text."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.terminal import json_line, one_line, printable
from tests.diagnostics.conftest import TOKEN
from tests.fakes.azure_cluster import FakePool
from tests.fakes.registry_images import FakeImage
from tests.pull.world import CLUSTER, config_file, healthy


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[2J\x1b[31mred\x1b[0m b", "ared b"),  # CSI: clear screen, colours
        ("t\x1b]0;pwned\x07x", "tx"),  # OSC: retitle the window (BEL-terminated)
        ("t\x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\", "tlink"),  # OSC 8 hyperlink
        ("\x9b31mhi", "hi"),  # the 8-bit CSI
        ("bidi\u202eabc\u200b", "bidiabc"),  # a right-to-left override, a zero-width space
        ("one\ntwo\tthree\r", "one\ntwo three "),  # lines kept; tab and CR are spaces
        ("cut off\x1b", "cut off"),  # an escape the text ends on
        ("镜像 ✓ café", "镜像 ✓ café"),  # everything printable stays
    ],
)
def test_printable_drops_escapes_and_control_characters(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_one_line_joins_and_clips() -> None:
    assert one_line("a\n\n b\x1b[1m c", 80) == "a b c"
    assert one_line("word " * 100, 20) == "word word word word…"


def test_a_pull_check_prints_no_escape_from_azure(tmp_path: Path, monkeypatch) -> None:
    """Tag and node pool names come from Azure; in text mode none of their escapes run."""
    monkeypatch.setenv("ACRBOT_AZURE_TOKEN", TOKEN)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    world = healthy()
    world.registry.images = (FakeImage("shop/api", "1.3\x1b[31mRED\x1b]0;pwned\x07"),)
    world.cluster.pools = (FakePool(name="np\x1b[2Jx"),)
    out = io.StringIO()
    with world.azure() as fake, contextlib.redirect_stdout(out):
        config = config_file(fake, tmp_path)
        args = ["contosoreg.azurecr.io/shop/api:1.4", "--cluster", CLUSTER]
        code = main(["--config", str(config), "diagnose", *args, "--check", "pull", "--yes"])
    text = out.getvalue()
    assert code == 1 and "1.3RED" in text, text  # the tag asked for is missing; 1.3 is near
    assert "\x1b" not in text and "\x07" not in text


def test_json_lines_escape_what_a_terminal_would_act_on_and_keep_every_script() -> None:
    value = {"tag": "1.3\x9b2J\u202eevil\x7f", "zh": "镜像 ✓", "tags": "\U000e0041", "s": "\udc9b"}
    line = json_line(value)
    assert "\\u009b" in line and "\\u202e" in line and "\\u007f" in line
    assert "镜像 ✓" in line and json.loads(line) == value
    line.encode("utf-8")  # a lone surrogate (argv's surrogateescape) is escaped, not written
    assert not any(0x7F <= ord(c) <= 0x9F or c in "\u202e\u2028" for c in line)


def test_a_pull_check_in_json_carries_no_raw_control_character(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACRBOT_AZURE_TOKEN", TOKEN)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    world = healthy()
    world.registry.images = (FakeImage("shop/api", "1.3\x9b2J\u202e"),)
    out = io.StringIO()
    with world.azure() as fake, contextlib.redirect_stdout(out):
        config = config_file(fake, tmp_path)
        args = ["contosoreg.azurecr.io/shop/api:1.4", "--cluster", CLUSTER, "--json"]
        main(["--config", str(config), "diagnose", *args, "--check", "pull", "--yes"])
    text = out.getvalue()
    assert "\\u009b" in text and "\x9b" not in text and "\u202e" not in text
    assert json.loads(text)["ok"] is False
