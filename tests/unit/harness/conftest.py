"""Make the ``tests.…`` helper modules importable (see the comment below)."""

from __future__ import annotations

import sys
from pathlib import Path

# Helpers are imported as ``tests.…`` modules, which needs the repository root on sys.path.
# The project's pytest settings do that (pythonpath = ["."]); this keeps the suite working
# under any import mode or invocation.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
