"""Ask a person: an anonymous line from a newcomer to their municipality's social workers."""
