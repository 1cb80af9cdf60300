"""Content: the YAML model, loading and validation, and the in-memory store."""
