"""Search behaviour in both languages, with typos, pasted errors and off-topic chat.

These queries are not in the eval files; the eval files are measured as a
whole at the end, as a guard against regressions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.evaluation import evaluate, read_labelled

EVAL = Path(__file__).parents[1] / "eval"

ANSWERED = [
    ("where can I see the username and password of the registry admin", "how-do-i-get-admin-credentials-for-a-container-registry"),
    ("how to reference the acr admin password from an ARM template", "how-do-i-get-admin-credentials-in-a-resource-manager-template"),
    ("our AKS cluster needs to pull images from ACR, how do I set that up", "how-do-i-configure-kubernetes-with-azure-container-registry"),
    ("is there vulnerability scanning for my images", "is-there-security-vulnerability-scanning-for-images-in-acr"),
    ("怎么给同事只读的拉取镜像权限，不让他管理注册表", "how-do-i-grant-access-to-pull-or-push-images-without-permission-to-manage-the-registry-resource"),
    ("镜像删了以后存储用量为什么没变", "why-does-the-registry-quota-usage-not-reduce-after-deleting-images"),
    ("推镜像特别慢怎么办", "docker-push-is-slow"),
    ("防火墙规则改了不生效", "firewall-rules-are-updated-successfully-but-they-do-not-take-effect"),
    ("kubernets config for acr", "how-do-i-configure-kubernetes-with-azure-container-registry"),
    ("quarantine imgaes until scanned", "how-do-i-enable-automatic-image-quarantine-for-a-registry"),
    ("credentails for admin user", "how-do-i-get-admin-credentials-for-a-container-registry"),
    (
        "Error response from daemon: Get https://myreg.azurecr.io/v2/: net/http: request canceled "
        "while waiting for connection (Client.Timeout exceeded while awaiting headers)",
        "docker-pull-fails-with-error-nethttp-request-canceled-while-waiting-for-connection-clienttimeout-exceeded-while-awaiting-headers",
    ),
    ("<Code>InvalidAuthenticationInfo</Code> when curl follows the blob redirect", "authentication-information-is-not-given-in-the-correct-format-on-direct-rest-api-calls"),
    ("github actions", "cicd-integration"),
    ("circleci", "cicd-integration"),
    ("aqua scanner", "is-there-security-vulnerability-scanning-for-images-in-acr"),
]  # fmt: skip

OFF_TOPIC = [
    "what's the weather like in Seattle",
    "thanks!",
    "thank you so much 🙏",
    "qwpoeiruty zmxncbv",
    "明天放假吗",
    "who is on call this weekend",
    "lol",
]


@pytest.mark.parametrize(("query", "anchor"), ANSWERED)
def test_answers_in_the_users_words(kb, query, anchor):
    result = kb.ask(query)
    assert result.answered, [(h.entry.id, h.score) for h in result.hits]
    assert result.answer.entry.id == anchor


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_off_topic_gets_no_answer(kb, query):
    result = kb.ask(query)
    assert not result.answered
    assert result.answer is None


def test_confidence_is_a_probability_and_ranked(kb):
    result = kb.ask("docker pull slow")
    scores = [h.score for h in result.hits]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len(result.hits) <= 5


def test_close_calls_offer_did_you_mean(kb):
    result = kb.ask("admin credentials")
    ids = {h.entry.id for h in (*result.hits[:1], *result.suggestions)}
    assert "how-do-i-get-admin-credentials-for-a-container-registry" in ids
    assert "how-do-i-get-admin-credentials-in-a-resource-manager-template" in ids


def test_typos_are_repaired_within_an_edit_or_two(kb):
    assert kb.index.corrections("kubernetse credentails") == {
        "kubernetse": "kubernetes",
        "credentails": "credentials",
    }
    # a real word the FAQ lacks is not bent into one it has
    assert "ages" not in kb.index.corrections("it takes ages")


def test_empty_and_huge_queries_are_harmless(kb):
    assert not kb.ask("").answered
    assert not kb.ask("   ").answered
    huge = kb.ask("docker pull slow " * 5000)
    assert huge.hits and huge.hits[0].entry.id == "docker-pull-is-slow"


@pytest.mark.parametrize(
    "name",
    [
        "hard_queries.jsonl",
        "holdout_queries.jsonl",
        "pull_heldout.jsonl",
        "pasted_heldout.jsonl",
        "bare_pull_heldout.jsonl",
    ],
)
def test_labelled_sets_stay_above_the_floor(kb, name):
    """A regression guard below what `acrbot eval` measures today.

    holdout_queries' floor is lower (0.89 / 0.865, not 0.9 / 0.88) since the
    pull troubleshooting file joined the knowledge base: it took six of the
    set's questions about firewalls, AKS and pull rights from their FAQ
    entries (0.941 → 0.881 top-1). Generic ranking work (branch ranking: per-file
    idf, concept-weighted titles, compound words) won part of it back (0.901
    top-1, 0.877 overall): still under 0.88 overall, so the floor stays lowered,
    one question under today's figures (it was 0.85 / 0.84: five questions
    could have been lost unseen). That is a regression, open in issue 14's
    note, not a new normal: raise the floor again when it is won back.

    bare_pull_heldout (bare ImagePullBackOff questions, and pasted errors that must
    keep their cause's entry) was written before the find-the-cause entry and
    measured once it was in: 0.953 top-1, 0.977 top-3, 0.884 overall, so one more
    miss crosses the 0.88 floor.
    """
    report = evaluate(kb, read_labelled(EVAL / name))
    lowered = name == "holdout_queries.jsonl"
    assert report.top1 >= (0.89 if lowered else 0.9)
    assert report.top3 >= 0.95
    assert report.rejected >= 0.8
    assert report.overall >= (0.865 if lowered else 0.88)
