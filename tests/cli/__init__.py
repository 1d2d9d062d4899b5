"""Tests of bot/cli/: each command as a person runs it."""
