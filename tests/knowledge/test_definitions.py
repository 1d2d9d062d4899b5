"""A question asking what one non-core thing *is* is not answered from an entry that only uses it.

"What is a kubernetes pod" was answered with "How do I configure Kubernetes
with ACR?" at 0.83 while "what exactly is a kubernetes pod" got 0.35: the
bare-keyword rule read it as a lookup of "kubernetes". The definitional frame
(offtopic.what_it_asks_about) around a single idea, no core concept and a
wording no title says ("pod", "kubelet", "aks") is the ``define`` evidence,
weighed by calibration.json (fitted alone: see benchmarks/calibrate.py
--only). A wording a title says ("content trust", "ImagePullBackOff",
"kubernetes") is what that entry is about: asking what it is stays answered.
These phrasings are the dev set's or new; tests/eval/confident_wrong_heldout.jsonl
is only measured.
"""

from __future__ import annotations

import pytest

from bot.knowledge.calibration import FEATURES, Calibration, fit
from bot.knowledge.offtopic import what_it_asks_about


@pytest.mark.parametrize(
    "query",
    [
        "what is a kubernetes pod",
        "what is a pod in kubernetes",
        "what's a k8s pod",
        "what’s a kubelet?",
        "kubernetes pod 是什么",
        "什麼是 kubectl",
        "集群是什么",
        "what is aks",
        "what does a kubernetes statefulset do",
    ],
)
def test_what_a_side_concept_is_is_not_answered(kb, query):
    result = kb.ask(query)
    assert not result.answered, (query, result.hits[0].entry.id, result.hits[0].score)
    assert result.hits[0].evidence.define == 1.0


@pytest.mark.parametrize(
    ("query", "anchor"),
    [
        ("kubernetes", "how-do-i-configure-kubernetes-with-azure-container-registry"),
        ("acr pull aks", "how-do-i-configure-kubernetes-with-azure-container-registry"),
        ("how do I configure kubernetes to pull from acr", "configure-kubernetes"),
        ("admin password", "how-do-i-get-admin-credentials-for-a-container-registry"),
        ("what is the admin password of my registry", "admin-credentials-for"),
        ("镜像推送很慢", "docker-push-is-slow"),
        ("什么是镜像隔离", "quarantine"),
        ("what is acr content trust", "content-trust"),
        ("az acr check-health 是做什么的", "check-health"),
        ("ImagePullBackOff", "imagepullbackoff-or-errimagepull-find-the-cause"),
        # A wording the entry's title says: what the entry is about, so no mention.
        ("what does ImagePullBackOff mean", "imagepullbackoff-or-errimagepull-find-the-cause"),
        ("what is content trust", "content-trust"),
        ("what is quarantine", "quarantine"),
        ("what is the admin account", "admin-credentials-for"),
        ("what does toomanyrequests mean", "toomanyrequests-429"),
    ],
)
def test_acr_questions_of_the_same_shape_still_are(kb, query, anchor):
    result = kb.ask(query)
    assert result.answered and anchor in result.answer.entry.id, query
    assert result.hits[0].evidence.define == 0.0


def test_what_kubernetes_is_keeps_the_lookup(kb):
    """ "Kubernetes" is the kubernetes entry's own title word: "what is kubernetes" is read
    as the bare keyword it was before (answered, as offtopic_classes counts against us),
    while the forms only its answers use ("pod", "aks", "kubelet") are mentions."""
    assert kb.ask("Kubernetes 是什么").hits[0].evidence.define == 0.0
    assert kb.ask("what is a kubernetes pod").hits[0].evidence.define == 1.0


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("what is a kubernetes pod", "a kubernetes pod"),
        ("hey, what's helm?", "helm?"),
        ("can you explain what an operator is", "what an operator is"),
        ("what does kubectl apply do", "kubectl apply do"),
        ("kubernetes pod 是什么", "kubernetes pod"),
        ("什么是 pod", "pod"),
        ("operator 是什么意思？", "operator"),
    ],
)
def test_the_frame_is_found_and_left_out_of_the_subject(text, subject):
    assert what_it_asks_about(text).strip() == subject


@pytest.mark.parametrize(
    "text",
    [
        "admin password",
        "部署后 pod 报 errimagepull 是什么原因",  # what is the cause: not a definition
        "how do i explain this to my manager",  # not at the start
        "somewhat slow pulls",
    ],
)
def test_other_questions_have_no_definitional_frame(text):
    assert what_it_asks_about(text) is None


def test_a_framed_question_naming_a_core_concept_is_not_definitional(kb):
    # "what is" frames many ACR questions: only one non-core idea makes it a definition.
    for query in ("what is the acr admin password", "what's the command that checks docker"):
        assert kb.index.search(query)[0].evidence.define == 0.0


def test_fitting_one_feature_leaves_the_others_and_the_bias():
    start = Calibration(tuple(0.5 for _ in FEATURES), -1.0)
    at = FEATURES.index("define")
    on = [0.0] * len(FEATURES)
    on[at] = 1.0
    off = [1.0] * len(FEATURES)
    off[at] = 0.0
    fitted = fit([(on, 0), (on, 0), (off, 1)], epochs=200, start=start, free=frozenset({"define"}))
    assert fitted.bias == start.bias
    assert [w for i, w in enumerate(fitted.weights) if i != at] == [0.5] * (len(FEATURES) - 1)
    assert fitted.weights[at] < 0.0
