"""The web application of Carrefour: search pages, linked data, OAI-PMH and SPARQL."""

from endpoint.app import create_app

__all__ = ["create_app"]
