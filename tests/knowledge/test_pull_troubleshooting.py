"""The bundled pull-troubleshooting file (issue 14): one entry per error text, in Q&A and triage."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
from bot.knowledge.editions import languages, view_of
from bot.knowledge.library import Library
from bot.services import faq_search_from
from bot.triage import Triager, read_alertmanager

SOURCE = "acr-pull-troubleshooting"
OAUTH_401 = "401-unauthorized-oauth-token"
RED_HAT = (
    "docker-push-succeeds-but-docker-pull-fails-with-error-unauthorized-authentication-required"
)
# The error texts of the table in shared/docs/pull.md ("text in the pod event or alert").
ERROR_TEXTS = {
    OAUTH_401: ["failed to fetch oauth token: unexpected status: 401 Unauthorized"],
    "anonymous-token-401-unauthorized": ["failed to fetch anonymous token"],
    "403-forbidden-or-client-with-ip-is-not-allowed-access": ["403 Forbidden", "client with IP"],
    "not-found-or-manifest-unknown": ["not found", "manifest unknown", "manifest tagged by"],
    "the-operation-is-disallowed": ["The operation is disallowed"],
    "no-match-for-platform-in-manifest": ["no match for platform in manifest"],
    "dial-tcp-i-o-timeout-or-no-such-host": [
        "dial tcp",
        "no such host",
        "context deadline exceeded",
    ],
    "toomanyrequests-429": ["toomanyrequests", "429"],
}
# The one entry that starts from no error text: a bare ImagePullBackOff or ErrImagePull.
FIND_THE_CAUSE = "imagepullbackoff-or-errimagepull-find-the-cause"


@pytest.fixture(scope="module")
def library() -> Library:
    return Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL)


def troubleshooting(library: Library) -> dict:
    return {e.id: e for e in library.current.entries if e.source.startswith(SOURCE)}


def test_one_entry_per_error_text_in_both_editions(library):
    entries = troubleshooting(library)
    assert sorted(entries) == sorted([*ERROR_TEXTS, FIND_THE_CAUSE])
    for anchor, texts in ERROR_TEXTS.items():
        entry = entries[anchor]
        assert languages(entry) == ["zh", "en"], anchor
        english, chinese = view_of(entry, "en"), view_of(entry, "zh")
        for text in texts:
            assert text in english.question + english.answer_markdown, (anchor, text)
        # the same commands in both editions: the fix does not depend on the language read
        assert entry.code_blocks == entry.editions[0].code_blocks, anchor
        assert chinese.answer_markdown != english.answer_markdown


def test_the_find_the_cause_entry_points_at_every_error_entry_in_both_editions(library):
    entry = troubleshooting(library)[FIND_THE_CAUSE]
    assert languages(entry) == ["zh", "en"]
    for language in ("en", "zh"):
        view = view_of(entry, language)
        for anchor in ERROR_TEXTS:
            assert f"](#{anchor})" in view.answer_markdown, (language, anchor)
        assert "kubectl describe pod" in view.answer_markdown
        assert "/acr pull" in view.answer_markdown


def test_the_file_declares_no_docs_page(library):
    for entry in troubleshooting(library).values():
        assert {view_of(entry, lang).docs_url for lang in ("en", "zh", "zh-tw")} == {""}


@pytest.mark.parametrize(
    ("argv", "title", "script"),
    [
        (["pulling from AKS gives 401 unauthorized"], "Q: oauth token: 401 Unauthorized", None),
        (["--language", "zh", "pulling from AKS gives 401 unauthorized"], "未授权", "授权"),
        (["--language", "zh-TW", "pulling from AKS gives 401 unauthorized"], "未授權", "授權"),
        (["从 AKS 拉取镜像时报 401 未授权"], "未授权", "授权"),
        (["從 AKS 提取映像時出現 401 未授權"], "未授權", "授權"),
    ],
)
def test_ask_401_from_aks_answers_from_the_troubleshooting_file(capsys, argv, title, script):
    assert main(["ask", *argv]) == 0
    out = capsys.readouterr().out
    question, where = out.splitlines()[:2]
    assert where.endswith(OAUTH_401), out[:300]
    assert title in question
    assert "signature-verification" not in out
    assert "Docs:" not in out  # acrbot's own file: no learn.microsoft.com page to link
    assert "--attach-acr" in out and "Container Registry Repository Reader" in out
    if script == "授權":  # Traditional: converted from the Simplified edition, code untouched
        assert "授权" not in out and "kubelet" in out
    elif script == "授权":
        assert "授權" not in out


def test_the_red_hat_question_keeps_the_red_hat_entry(library):
    result = library.current.ask(
        "on RHEL docker push to the registry works but docker pull says unauthorized"
    )
    assert result.answer is not None and result.answer.entry.id == RED_HAT


def test_alertmanager_image_pull_alert_links_the_troubleshooting_entry(library):
    payload = {
        "version": "4",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "KubePodImagePullBackOff",
                    "reason": "ErrImagePull",
                    "namespace": "shop",
                    "pod": "api-5c9d7b-abcde",
                    "cluster": "aks-prod",
                },
                "annotations": {
                    "description": (
                        'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": rpc error: '
                        'code = Unknown desc = failed to pull and unpack image "contosoreg.azurecr.io'
                        '/shop/api:1.4": failed to resolve reference "contosoreg.azurecr.io/shop/'
                        'api:1.4": failed to authorize: failed to fetch oauth token: unexpected '
                        "status: 401 Unauthorized"
                    )
                },
                "startsAt": "2026-12-01T08:00:00Z",
                "fingerprint": "0123456789abcdef",
            }
        ],
    }
    (triage,) = Triager(faq_search_from(library)).triage_all(read_alertmanager(payload))
    ids = [f.id for f in triage.faq]
    assert ids and ids[0] == OAUTH_401
    assert RED_HAT not in ids
    assert triage.to_json()["faq"][0]["id"] == OAUTH_401
