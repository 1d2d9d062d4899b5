"""Registry names: the accepted spellings normalise; everything else is refused safely."""

from __future__ import annotations

import pytest

from bot.diagnostics.registry_name import InvalidRegistryName, parse_registry, preview

SUB = "00000000-0000-0000-0000-0000000000AB"


@pytest.mark.parametrize(
    ("text", "name", "suffix"),
    [
        ("myreg", "myreg", None),
        ("  MyReg01  ", "myreg01", None),
        ("myreg.azurecr.io", "myreg", ".azurecr.io"),
        ("MYREG.AZURECR.IO", "myreg", ".azurecr.io"),
        ("https://myreg.azurecr.io/v2/", "myreg", ".azurecr.io"),
        ("https://myreg.azurecr.io", "myreg", ".azurecr.io"),
        ("myreg.azurecr.cn", "myreg", ".azurecr.cn"),
        ("myreg.azurecr.us/", "myreg", ".azurecr.us"),
        ("a" * 50, "a" * 50, None),
    ],
)
def test_accepted_spellings_normalise(text: str, name: str, suffix: str | None) -> None:
    parsed = parse_registry(text)
    assert (parsed.name, parsed.login_suffix) == (name, suffix)
    assert parsed.subscription is None


def test_resource_id_gives_subscription_and_group() -> None:
    parsed = parse_registry(
        f"/subscriptions/{SUB}/resourceGroups/rg-Prod.1/providers/"
        "Microsoft.ContainerRegistry/registries/MyReg"
    )
    assert parsed.name == "myreg"
    assert parsed.subscription == SUB.lower()
    assert parsed.resource_group == "rg-Prod.1"


def test_resource_id_is_case_insensitive_in_its_keywords() -> None:
    parsed = parse_registry(
        f"/SUBSCRIPTIONS/{SUB}/resourcegroups/rg/providers/microsoft.containerregistry/"
        "registries/myreg/"
    )
    assert parsed.resource_group == "rg"


INJECTIONS = [
    "myreg; rm -rf /",
    "../../x",
    "<!channel>",
    "<@U123> hello",
    "myreg && curl evil.example",
    "$(reboot)",
    "`id`",
    "myreg\nDELETE",
    "my-reg",
    "my_reg",
    "abc",
    "a" * 51,
    "x" * 10_000,
    "myreg.evil.com",
    "myreg.azurecr.io.evil.com",
    "https://myreg.azurecr.io/v2/_catalog",
    "ftp://myreg.azurecr.io",
    "myreg.eastus.data.azurecr.io",
    "/subscriptions/not-a-guid/resourceGroups/rg/providers/"
    "Microsoft.ContainerRegistry/registries/myreg",
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/myreg",
    f"/subscriptions/{SUB}/resourceGroups/r g/providers/"
    "Microsoft.ContainerRegistry/registries/myreg",
    "",
    "   ",
    "ｍｙｒｅｇ１",  # full-width letters look alphanumeric but are not ASCII
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_refusals_explain_without_echoing_raw_input(text: str) -> None:
    with pytest.raises(InvalidRegistryName) as caught:
        parse_registry(text)
    message = str(caught.value)
    assert len(message) < 400
    for dangerous in ("<", ">", ";", "`", "$(", "&&", "\n", "rm -rf", "@U123"):
        assert dangerous not in message
    assert "letters and digits" in message or "resource" in message or "registry" in message


def test_refusal_says_what_is_wrong() -> None:
    with pytest.raises(InvalidRegistryName, match="at least 5"):
        parse_registry("abc")
    with pytest.raises(InvalidRegistryName, match="other than letters and digits"):
        parse_registry("my-reg")
    with pytest.raises(InvalidRegistryName, match="far too long"):
        parse_registry("x" * 10_000)


def test_preview_defangs_and_truncates() -> None:
    assert preview("<!channel>") == "??channel?"
    assert preview("myreg; rm -rf /") == "myreg??rm?-rf?/"
    long = preview("y" * 500)
    assert long.endswith("...") and len(long) <= 43
