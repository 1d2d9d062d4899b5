"""deploy/Dockerfile and deploy/compose.yaml (issue 18 A9).

No container engine runs in the test suite, so the properties are checked
on the files themselves: dependencies in a layer that the code does not
invalidate, no pip or setuptools in the runtime venv, wordfreq data pruned
to exactly what acrbot opens (found by running the search, not by a list
kept here), the podman ``--format docker`` advice, and a compose file that
builds once and names nothing it cannot be told.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def instructions() -> list[tuple[str, str, str]]:
    """(stage, instruction, arguments) for every Dockerfile line, continuations joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    stage, out = "", []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            parts = rest.split()
            stage = parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else "runtime"
        out.append((stage, word.upper(), rest))
    return out


def first_index(predicate) -> int:
    return next(i for i, item in enumerate(instructions()) if predicate(*item))


def test_dependencies_have_a_layer_the_code_does_not_invalidate() -> None:
    steps = instructions()
    install_deps = first_index(lambda _s, op, args: op == "RUN" and "requirements.txt" in args)
    first_code = first_index(lambda _s, op, args: op == "COPY" and re.search(r"\bbot\b", args))
    assert install_deps < first_code  # a code change reuses the dependency layer
    copies_before = [args for _s, op, args in steps[:install_deps] if op == "COPY"]
    assert copies_before == ["pyproject.toml ./"]  # and only pyproject.toml invalidates it
    runtime = [(op, args) for stage, op, args in steps if stage == "runtime"]
    venv = next(i for i, (op, args) in enumerate(runtime) if "/opt/acrbot /opt/acrbot" in args)
    app = next(i for i, (op, args) in enumerate(runtime) if op == "RUN" and "acrbot-*.whl" in args)
    assert venv < app  # the image's own layers: dependencies first, acrbot on top


def test_the_venv_has_no_pip_or_setuptools() -> None:
    (create,) = [args for _s, op, args in instructions() if op == "RUN" and "-m venv" in args]
    assert "--without-pip" in create  # so no pip, no setuptools in /opt/acrbot
    assert "--python /opt/acrbot/bin/python" in create  # installed by the base image's pip


def kept_wordfreq_files() -> set[str]:
    (prune,) = [args for _s, op, args in instructions() if "wordfreq/data" in args]
    assert "-delete" in prune
    return set(re.findall(r"! -name (\S+)", prune))


FILES_OPENED = """
import json, sys
opened = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and "wordfreq/data/" in args[0]:
        opened.add(args[0].rsplit("/", 1)[1])
sys.addaudithook(hook)
from bot.config import load_settings
from bot.services import library_from
library = library_from(load_settings(env={}))
for question in ("docker pull is slow", "write a poem about my laptop", "镜像拉取太慢怎么办",
                 "映像檔拉取很慢", "how do I log in to the registry?"):
    library.ask(question)
print(json.dumps(sorted(opened)))
"""


def test_wordfreq_keeps_exactly_the_lists_acrbot_reads(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", FILES_OPENED],
        cwd=ROOT,
        env={"ACRBOT_STATE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    opened = set(json.loads(run.stdout.strip().splitlines()[-1]))
    assert opened, "the search opened no wordfreq list: the probe is broken"
    assert kept_wordfreq_files() == opened


def test_podman_is_told_to_build_with_format_docker() -> None:
    for path in (DEPLOY / "Dockerfile", DEPLOY / "README.md", DEPLOY / "compose.yaml"):
        assert "--format docker" in path.read_text(), path


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_builds_the_image_once_for_both_replicas() -> None:
    services = compose()["services"]
    replicas = {name: s for name, s in services.items() if name.startswith("acrbot")}
    assert len(replicas) == 2
    assert sum("build" in s for s in replicas.values()) == 1
    (image,) = {s["image"] for s in replicas.values()}
    assert image.startswith("${ACRBOT_IMAGE:-")
    unbuilt = [s for s in replicas.values() if "build" not in s]
    assert all(s.get("pull_policy") == "never" for s in unbuilt)


def test_compose_hard_codes_no_image_or_redis_url() -> None:
    services = compose()["services"]
    assert all(s["image"].startswith("${") for s in services.values())
    urls = {s["environment"]["REDIS_URL"] for n, s in services.items() if n.startswith("acrbot")}
    assert urls == {"${REDIS_URL:-redis://redis:6379/0}"}
    assert (DEPLOY / "compose.yaml").read_text().count("redis://") == 1  # said once
    assert "noeviction" in services["redis"]["command"]
