"""Virtual environments: :func:`puffin.venv.create.create_venv` writes one directly.

The activation script templates live in ``puffin/venv/scripts`` (package data).
"""
