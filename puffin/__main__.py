"""``python -m puffin``."""

from __future__ import annotations

from puffin.cli.main import console

if __name__ == "__main__":
    console()
