"""A bare ImagePullBackOff / ErrImagePull question gets the find-the-cause entry; a pasted
error that names its cause keeps that cause's entry.

The find-the-cause entry lists the common messages as signposts (list items linking
to their entries). Its signposts are not its text, and a question naming what one
sends elsewhere goes there (bot/knowledge/index.py, _signposted_terms). None of these
queries is in tests/eval; bare_pull_dev.jsonl was tuned on, bare_pull_heldout.jsonl
was written before the entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.library import Library

FIND_THE_CAUSE = "imagepullbackoff-or-errimagepull-find-the-cause"
OAUTH_401 = "401-unauthorized-oauth-token"
REF = "payacr.azurecr.io/ledger/api:7.1"


@pytest.mark.parametrize(
    ("query", "language", "words"),
    [
        ("our pods have been in ImagePullBackOff for an hour", "en", "kubectl describe pod"),
        ("deploy finished but the pods show ErrImagePull, where do I look", "en", "/acr pull"),
        ("the cluster can't pull the image from acr, no idea why", "en", "Failed to pull image"),
        ("pod 状态是 ErrImagePull，应该怎么查", "zh", "Pod 的事件会说明"),
        ("集群拉不下来镜像，一直 ImagePullBackOff", "zh", "每种原因下面都有对应条目"),
        ("Pod 一直是 ImagePullBackOff，該怎麼辦", "zh-tw", "每種原因"),
    ],
)
def test_a_bare_pull_failure_gets_the_find_the_cause_entry_in_the_askers_language(
    kb, query, language, words
):
    result = kb.ask(query)
    assert result.answer is not None, [(h.entry.id, h.score) for h in result.hits]
    assert result.answer.entry.id == FIND_THE_CAUSE
    assert result.language == language
    assert words in result.answer.view.answer_markdown


def test_pods_stuck_in_imagepullbackoff_is_no_timeout(kb):
    # "stuck" is a timeout to the glossary; the signpost to the timeout entry says
    # "i/o timeout", and only that wording sends a question there.
    result = kb.ask("pods stuck in ImagePullBackOff after the release")
    assert result.answer is not None and result.answer.entry.id == FIND_THE_CAUSE


@pytest.mark.parametrize(
    ("query", "anchor"),
    [
        (
            f'  Warning  Failed  8s  kubelet  Failed to pull image "{REF}": rpc error: code = '
            f'Unknown desc = failed to pull and unpack image "{REF}": failed to resolve '
            f'reference "{REF}": failed to authorize: failed to fetch oauth token: unexpected '
            "status: 401 Unauthorized\n  Warning  Failed  8s  kubelet  Error: ErrImagePull\n"
            "  Warning  Failed  2s  kubelet  Error: ImagePullBackOff",
            OAUTH_401,
        ),
        ("ImagePullBackOff, the event ends in failed to fetch oauth token 401", OAUTH_401),
        (
            f'Error: ErrImagePull Failed to pull image "{REF}": {REF}: not found',
            "not-found-or-manifest-unknown",
        ),
        ("pods in ErrImagePull: lookup payacr.azurecr.io: no such host", None),
        ("Pod 一直 ImagePullBackOff，事件里是 toomanyrequests", "toomanyrequests-429"),
    ],
)
def test_a_pull_failure_that_names_its_cause_keeps_the_causes_entry(kb, query, anchor):
    anchor = anchor or "dial-tcp-i-o-timeout-or-no-such-host"
    result = kb.ask(query)
    assert result.hits[0].entry.id == anchor, [(h.entry.id, h.score) for h in result.hits]
    assert FIND_THE_CAUSE in [h.entry.id for h in result.hits]  # ranked lower, not gone


def test_ask_answers_a_bare_imagepullbackoff_from_the_cli(capsys):
    assert main(["ask", "ImagePullBackOff on my deployment"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].endswith(FIND_THE_CAUSE), out[:300]


HUB = """\
# <a name="page"></a>Troubles

## <a name="all"></a>All

### <a name="widget-broken-find-the-cause"></a>Widget broken: how to find the cause

A broken widget logs why. Read the log:

- `gear jammed`: the gearbox ([gear](#gear-jammed)).
- `belt snapped`: the belt ([belt](#belt-snapped)).

### <a name="gear-jammed"></a>gear jammed

Oil the gearbox and turn it by hand.

### <a name="belt-snapped"></a>belt snapped

Fit a new belt and tension it.
"""


@pytest.fixture
def hub(tmp_path: Path) -> Library:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "troubles.en.md").write_text(HUB, encoding="utf-8")
    return Library([folder], "")


def test_a_question_naming_a_signposted_text_goes_where_the_signpost_points(hub):
    hits = hub.current.ask("widget broken, log says gear jammed").hits
    assert [h.entry.id for h in hits[:2]] == ["gear-jammed", "widget-broken-find-the-cause"]
    assert hits[1].evidence.strength <= 0.5 * hits[0].evidence.strength


def test_a_question_naming_nothing_signposted_gets_the_signposting_entry(hub):
    assert hub.current.ask("widget broken, how do I find the cause").hits[0].entry.id == (
        "widget-broken-find-the-cause"
    )


def test_a_signpost_is_not_its_entrys_text(hub):
    index = hub.current.index
    hub_entry = next(n for n, e in enumerate(index.entries) if e.id.startswith("widget"))
    assert "w:belt" not in index._entries.arrays or hub_entry not in (
        index._entries.arrays["w:belt"][0].tolist()
    )
