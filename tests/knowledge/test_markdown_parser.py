"""The parser on the seed FAQ's real quirks, and on files that bend the usual shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.markdown_parser import parse_markdown, parse_markdown_file

BASE = "https://learn.microsoft.com/zh-cn/azure/container-registry/"
THUMBPRINT = "where-is-the-file-for-the-thumbprint-located"
TRACES = "how-do-i-collect-http-traces-on-windows"


def test_every_question_heading_is_an_entry_with_its_anchor(seed_entries):
    assert "how-do-i-get-admin-credentials-for-a-container-registry" in seed_entries
    assert "docker-pull-is-slow" in seed_entries
    entry = seed_entries["how-do-i-get-admin-credentials-for-a-container-registry"]
    assert entry.question == "如何实现获取容器注册表的管理员凭据？"
    assert entry.section == "资源管理"
    assert entry.title_en.startswith("how do i get admin credentials")
    assert entry.language == "zh-cn"


def test_tables_of_contents_and_the_intro_are_not_answers(seed_entries):
    assert "resource-management" not in seed_entries
    assert "registry-operations" not in seed_entries
    assert "frequently-asked-questions-about-azure-container-registry" not in seed_entries


def test_a_question_level_4_heading_is_its_own_entry(seed_entries):
    thumbprint = seed_entries[THUMBPRINT]
    assert thumbprint.question == "指纹位于何处？"
    assert "root.json" in thumbprint.answer_markdown
    trust = seed_entries["does-azure-container-registry-support-content-trust"]
    assert "root.json" not in trust.answer_markdown


def test_level_4_sub_headings_stay_in_their_parents_answer(seed_entries):
    for anchor in ("prerequisites", "windows-containers", "linux-containers"):
        assert anchor not in seed_entries
    traces = seed_entries[TRACES]
    assert "#### 先决条件" in traces.answer_markdown
    assert "#### Linux 容器" in traces.answer_markdown
    assert [b.language for b in traces.code_blocks] == ["powershell"]


def test_a_section_of_links_without_questions_is_findable(seed_entries):
    cicd = seed_entries["cicd-integration"]
    assert {link.text for link in cicd.links} == {"CircleCI", "GitHub 操作"}
    assert all(link.url.startswith("https://github.com/Azure/acr/") for link in cicd.links)


def test_code_blocks_keep_language_and_lose_list_indentation(seed_entries):
    grant = seed_entries[
        "how-do-i-grant-access-to-pull-or-push-images-without-permission-to-manage-the-registry-resource"
    ]
    codes = [b.code for b in grant.code_blocks]
    assert "az acr show -n myRegistry" in codes
    assert any(c.startswith("az role assignment create") for c in codes)
    assert grant.code_blocks[0].language == "azurecli"


def test_links_are_resolved(seed_entries):
    k8s = seed_entries["how-do-i-configure-kubernetes-with-azure-container-registry"]
    urls = {link.url for link in k8s.links}
    assert BASE + "container-registry-auth-aks" in urls
    assert (
        "https://kubernetes.io/docs/user-guide/images/#using-azure-container-registry-acr" in urls
    )
    entry = seed_entries["check-health-with-az-acr-check-health"]
    assert entry.docs_url == BASE + "container-registry-faq#check-health-with-az-acr-check-health"


def test_anchor_links_become_entry_references():
    text = (
        "---\ndocs_page: a\n---\n"
        '### <a name="q"></a>Q?\n\nSee [the other one](#other) and [docs](intro.md#top).\n'
    )
    (entry,) = parse_markdown(text, "a.md", BASE)
    other, docs = entry.links
    assert other.url is None and other.entry_ref == "other"
    assert docs.url == BASE + "intro#top"


def test_source_and_line_point_at_the_heading(seed_entries):
    entry = seed_entries["docker-pull-is-slow"]
    lines = Path(__file__).parents[2].joinpath("knowledge", entry.source).read_text().splitlines()
    assert 'name="docker-pull-is-slow"' in lines[entry.line - 1]


def test_misplaced_paragraph_is_a_passage_of_its_entry(seed_entries):
    entry = seed_entries["new-user-permissions-may-not-be-effective-immediately-after-updating"]
    assert len(entry.passages) == 2
    assert "主复制" in entry.passages[1]


def test_front_matter_can_set_the_docs_base():
    text = (
        "---\ndocs_base_url: https://docs.example.com/acr\n---\n### How do I x?\n\nUse [y](y.md).\n"
    )
    (entry,) = parse_markdown(text, "extra.md", BASE)
    assert entry.links[0].url == "https://docs.example.com/acr/y"
    assert entry.id == "how-do-i-x"
    assert entry.docs_url == "https://docs.example.com/acr/extra#how-do-i-x"


def test_a_file_without_headings_is_one_entry():
    (entry,) = parse_markdown("---\ntitle: Runbook\n---\nRestart the thing.\n", "runbook.md", BASE)
    assert entry.question == "Runbook"
    assert "Restart" in entry.answer_markdown


def test_same_anchor_in_two_files_gets_distinct_keys():
    (a,) = parse_markdown('### <a name="dup"></a>A?\n\nx\n', "one.md", BASE)
    (b,) = parse_markdown('### <a name="dup"></a>B?\n\ny\n', "two.md", BASE)
    assert a.id == b.id == "dup"
    assert a.key != b.key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\ntitle: [unclosed\n---\n# x\n", "front matter is not valid YAML"),
        (b"---\ntitle: x\n# never closed\n", "never closed"),
        (b"### caf\xe9?\n", "not UTF-8"),
    ],
)
def test_broken_files_raise_a_clear_error(tmp_path, content, message):
    path = tmp_path / "broken.md"
    path.write_bytes(content)
    with pytest.raises(KnowledgeError, match=message) as raised:
        parse_markdown_file(path, BASE)
    assert "broken.md" in str(raised.value)
