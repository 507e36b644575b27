"""puffin: a fast, pluggable Python package resolver and installer.

This module must stay import-free: `puffin --version` reads `__version__` from here and
nothing else, so that it pays for no dependency.
"""

__version__ = "0.1.0.dev0"
