"""`python -m sample_platforms [--host H] [--port P]`: serve the sample platforms."""

from __future__ import annotations

import argparse

from .server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="Sert les plateformes d'exemple du Carrefour.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args()
    serve_forever(args.host, args.port)


if __name__ == "__main__":
    main()
