"""``acrbot diagnose`` and ``acrbot audit`` through the real entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bot
from bot.cli import main
from tests.diagnostics.conftest import (
    TOKEN,
    assert_no_secret,
    base_config,
)
from tests.fakes.azure_api import FakeAzure, FakeRegistry

REPO = Path(bot.__file__).resolve().parent.parent


@pytest.fixture
def azure() -> FakeAzure:
    registries = [FakeRegistry("myreg"), FakeRegistry("blockedreg", forbidden=True)]
    with FakeAzure(registries, token=TOKEN) as fake:
        yield fake


@pytest.fixture
def config(azure: FakeAzure, tmp_path: Path, monkeypatch) -> Path:
    raw = base_config(azure)
    raw["state_dir"] = "state"
    path = tmp_path / "acrbot.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("ACRBOT_AZURE_TOKEN", TOKEN)
    monkeypatch.delenv("ACRBOT_STATE_DIR", raising=False)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    return path


def audit_records(config: Path) -> list[dict]:
    path = config.parent / "state" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_diagnose_with_yes_prints_steps_and_exits_0(config: Path, capsys) -> None:
    assert main(["--config", str(config), "diagnose", "myreg", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "[ok]" in out and "DNS lookup" in out
    assert "Health check: all 8 steps passed." in out
    assert "bot's network" in out
    records = audit_records(config)
    assert [r["event"] for r in records] == ["request", "confirmation", "result"]
    assert records[0]["requester"].startswith("cli:")
    assert_no_secret(out, json.dumps(records))


def test_diagnose_json(config: Path, capsys) -> None:
    code = main(
        [
            "--config",
            str(config),
            "diagnose",
            "myreg.azurecr.io",
            "--check",
            "usage",
            "--yes",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True and report["check"] == "usage"
    assert report["facts"]["Storage"].endswith("(2.4%)")
    assert {s["status"] for s in report["steps"]} == {"ok"}


def test_problems_exit_1(config: Path, capsys) -> None:
    assert main(["--config", str(config), "diagnose", "blockedreg", "--yes"]) == 1
    out = capsys.readouterr().out
    assert "[FAILED]" in out and "CONNECTIVITY_FORBIDDEN_ERROR" in out
    assert "https://aka.ms/acr/errors#connectivity_forbidden_error" in out
    assert "[skipped]" in out


def test_without_yes_and_no_terminal_nothing_runs(config: Path, azure: FakeAzure, capsys) -> None:
    assert main(["--config", str(config), "diagnose", "myreg"]) == 2
    err = capsys.readouterr().err
    assert "Not run" in err and "--yes" in err
    assert azure.calls("challenge") == [] and azure.calls("registry") == []
    assert audit_records(config)[-1]["outcome"] == "declined"


def test_prompt_yes_runs(config: Path, monkeypatch, capsys) -> None:
    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda text: prompts.append(text) or "y")
    assert main(["--config", str(config), "diagnose", "myreg", "--check", "info"]) == 0
    assert prompts[0].startswith("Run info against myreg (subscription ")
    assert prompts[0].endswith("? [y/N] ")


@pytest.mark.parametrize("answer", ["", "n", "no", EOFError])
def test_prompt_anything_but_yes_is_no(config: Path, azure, monkeypatch, answer) -> None:
    def reply(text: str) -> str:
        if answer is EOFError:
            raise EOFError
        return answer

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", reply)
    assert main(["--config", str(config), "diagnose", "myreg"]) == 2
    assert azure.calls("challenge") == []


def test_invalid_registry_exit_2_with_safe_message(config: Path, capsys) -> None:
    assert main(["--config", str(config), "diagnose", "myreg; rm -rf /", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "not a registry" in err and "; rm" not in err
    assert main(["--config", str(config), "diagnose", "<!channel>", "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is False and "<" not in payload["error"]


def test_config_error_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text("azure:\n  cloud: mars\n", encoding="utf-8")
    assert main(["--config", str(bad), "diagnose", "myreg", "--yes"]) == 2
    assert "configuration error in azure.cloud" in capsys.readouterr().err


def test_unknown_check_is_an_argparse_error(config: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--config", str(config), "diagnose", "myreg", "--check", "delete"])
    assert caught.value.code == 2


@pytest.mark.parametrize("limit", ["0", "-1", "two"])
def test_audit_limit_must_be_a_positive_count(config: Path, capsys, limit: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--config", str(config), "audit", "--limit", limit])
    assert caught.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_audit_shows_recent_records(config: Path, capsys) -> None:
    assert main(["--config", str(config), "audit"]) == 0
    assert "No audit records yet" in capsys.readouterr().out
    main(["--config", str(config), "diagnose", "myreg", "--yes"])
    main(["--config", str(config), "diagnose", "../../x", "--yes"])
    capsys.readouterr()
    assert main(["--config", str(config), "audit", "-n", "2"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert "result" in lines[0] and "ok" in lines[0]
    assert "refusal" in lines[1] and "invalid-registry" in lines[1]
    assert "is not a registry" in lines[2]  # the refusal's reason, indented below it
    assert main(["--config", str(config), "audit", "--json", "-n", "2"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["outcome"] for r in records] == ["ok", "invalid-registry"]


def test_entry_point_in_a_real_process(config: Path) -> None:
    env = {**os.environ, "ACRBOT_CONFIG": str(config), "ACRBOT_AZURE_TOKEN": TOKEN}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "diagnose", "myreg", "--yes", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert_no_secret(done.stdout, done.stderr)


def test_diagnose_repository_flag_checks_pull(config: Path, azure: FakeAzure, capsys) -> None:
    """Issue 8.13 from the terminal: --repository asks for repository:REPO:pull."""
    azure.find("myreg").pull_denied = frozenset({"team/secret"})
    args = ["--config", str(config), "diagnose", "myreg", "--check", "check-health", "--yes"]
    assert main([*args, "--repository", "team/web"]) == 0
    assert "team/web: allowed" in capsys.readouterr().out
    assert main([*args, "--repository", "team/secret", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    access = next(s for s in report["steps"] if s["name"] == "access_token")
    assert access["code"] == "CONNECTIVITY_ACCESS_TOKEN_ERROR"
    assert [c.form["scope"] for c in azure.calls("token")] == [
        "repository:team/web:pull",
        "repository:team/secret:pull",
    ]
    assert main([*args, "--repository", "Bad Repo;rm"]) == 2
    err = capsys.readouterr().err
    assert "is not a repository name" in err and ";" not in err
    assert audit_records(config)[-1]["outcome"] == "invalid-repository"
