"""``acrbot triage [FILE] [--json]``, run as a user runs it (``main(argv)`` in process)."""

from __future__ import annotations

import json
import os

from tests.fakes.cli import Done, run_cli
from tests.triage.conftest import FIXTURES


def run(*args: str, stdin: bytes = b"") -> Done:
    env = {k: v for k, v in os.environ.items() if k != "ACRBOT_CONFIG"}
    return run_cli("triage", *args, env=env, input=stdin)


def test_json_from_a_file_is_the_documented_shape():
    done = run(str(FIXTURES / "azure_metric_storage.json"), "--json")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    assert list(result) == [
        "source",
        "state",
        "severity",
        "rule",
        "summary",
        "registries",
        "faq",
        "checks",
    ]
    assert result["registries"] == ["contosoregistry"]
    assert result["checks"] == [{"check": "usage", "registry": "contosoregistry"}]
    assert set(result["faq"][0]) == {"id", "title", "score"}


def test_alertmanager_group_from_stdin_prints_one_object_per_alert():
    done = run("--json", stdin=(FIXTURES / "alertmanager_imagepull.json").read_bytes())
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2


def test_text_rendering_names_the_checks_to_run():
    done = run(str(FIXTURES / "slack_bot_message.json"))
    out = done.stdout
    assert done.returncode == 0
    assert out.startswith("FIRED · [Triggered] [prod] deploy of checkout failed · contosoregistry")
    assert "acrbot diagnose contosoregistry --check info" in out


def test_nothing_recognised_still_exits_0():
    done = run(stdin=b"the coffee machine is empty")
    assert done.returncode == 0 and "Nothing recognised" in done.stdout


def test_unreadable_input_exits_2_with_one_line(tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    large = tmp_path / "large.json"
    large.write_bytes(b" " * (1024 * 1024 + 1))
    for args in ([str(tmp_path / "missing.json")], [str(binary)], [str(large)], [str(tmp_path)]):
        done = run(*args)
        assert done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
        assert done.stdout == ""
