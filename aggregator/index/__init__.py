"""The search index, derived from the store and rebuildable from it at any time."""
