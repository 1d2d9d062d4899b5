"""Read-only ACR diagnostics: a closed list of checks, run only after confirmation."""
