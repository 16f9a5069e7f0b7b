"""Local sample platforms imitating the real sources of the Carrefour des innovations sociales."""
