"""JSON from outside is read with every string storable (lone surrogates made U+FFFD)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import json_input


def test_lone_surrogates_in_keys_and_nested_values_become_replacement_characters() -> None:
    text = r'{"a\ud800": ["x\udfff", {"b": "\ud83d!"}], "n": 1, "ok": "\ud83d\ude00"}'
    assert json_input.loads(text) == {"a\ufffd": ["x\ufffd", {"b": "\ufffd!"}], "n": 1, "ok": "😀"}


def test_json_without_an_escaped_surrogate_is_read_as_json_reads_it() -> None:
    text = '{"a": ["\\u00e9", 1.5, null, true], "b": "\\\\ud800 is only text here"}'
    assert json_input.loads(text) == json.loads(text)


@pytest.mark.parametrize("text", ["[" * 100_000, "{", "nope"])
def test_what_is_not_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        json_input.loads(text)


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))  # fmt: skip
def test_every_string_read_can_be_written_as_utf8(value) -> None:
    read = json_input.loads(json.dumps(value))
    json.dumps(read, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
