"""``python -m puffin``."""

from __future__ import annotations

import sys

from puffin.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
