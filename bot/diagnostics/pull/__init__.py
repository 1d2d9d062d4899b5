"""The ``pull`` check: why can't this cluster pull this image? (read-only, from configuration)."""
