"""acrbot: a Slack assistant for Azure Container Registry users and operators."""

__version__ = "0.1.0"
