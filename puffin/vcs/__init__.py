"""Version-control sources: ``git+`` URLs resolved to a commit and checked out from a cache."""
