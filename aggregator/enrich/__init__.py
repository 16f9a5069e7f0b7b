"""Enrichment of mapped records: aligning tags to themes (later: places, duplicates)."""
