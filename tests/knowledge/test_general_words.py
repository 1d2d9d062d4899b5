"""The everyday words read straight from wordfreq's list files are wordfreq's own."""

from __future__ import annotations

import logging
import subprocess
import sys
from unittest.mock import create_autospec

import pytest

from bot.knowledge import general_words

THRESHOLD = 10 ** (general_words.GENERAL_ZIPF - 9)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_words_read_from_the_file_are_those_of_wordfreqs_dictionary(language):
    read = general_words._common_in_wordlist(language, THRESHOLD)
    assert len(read) > 20_000
    assert read == general_words._common_from_wordfreq(language, THRESHOLD)
    assert read == general_words.common_words(language)


def test_a_missing_word_list_falls_back_to_wordfreq_and_says_so(monkeypatch, caplog):
    missing = create_autospec(general_words._wordlist, side_effect=LookupError("en"))
    monkeypatch.setattr(general_words, "_wordlist", missing)
    general_words.common_words.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger="bot.knowledge.general_words"):
            assert "poem" in general_words.common_words("en")
        assert "LookupError" in caplog.text and "loading wordfreq" in caplog.text
    finally:
        general_words.common_words.cache_clear()


def test_reading_them_does_not_import_wordfreq():
    code = (
        "import sys\n"
        "from bot.knowledge.general_words import common_words\n"
        "assert 'poem' in common_words('en') and common_words('zh')\n"
        "print('wordfreq' in sys.modules, 'langcodes' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == ["False", "False"]
