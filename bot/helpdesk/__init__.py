"""Answering where people ask, shared across replicas: threads acrbot answered, questions it
left unanswered, and hand-offs to people. Plain state over :mod:`bot.storage`; no Slack here."""
