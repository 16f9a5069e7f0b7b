"""The triple store, source of truth of the mapped data: one named graph per record."""
