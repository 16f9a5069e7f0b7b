"""Carrefour: harvest, map, enrich, store and index social innovations."""

__version__ = "0.1.0"
