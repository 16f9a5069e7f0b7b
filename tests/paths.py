"""Where the tests find the project and the shared reference material."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CARREFOUR_SHARED_DIR", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
SCHEMAS = SHARED / "spec" / "oai-pmh" / "schemas"
