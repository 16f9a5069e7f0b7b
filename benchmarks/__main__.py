"""Run every benchmark module (or those named) and write docs/benchmarks.md."""

from __future__ import annotations

import importlib
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "docs" / "benchmarks.md"


def main(names: list[str]) -> None:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [m for m in modules if not names or m in names or m.removeprefix("bench_") in names]
    sections = []
    for name in wanted:
        print(f"… {name}", file=sys.stderr)
        sections.append(importlib.import_module(f"benchmarks.{name}").run().strip())
    header = (
        "# Benchmarks\n\n"
        f"Produced by `make bench` (`python -m benchmarks`) on {datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.machine()}, Python {platform.python_version()}, {_cores()} cores. "
        "Each figure is a ratio against a baseline measured in the same run.\n"
    )
    OUTPUT.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(OUTPUT.read_text(encoding="utf-8"))


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main(sys.argv[1:])
