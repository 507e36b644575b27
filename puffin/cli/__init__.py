"""The ``puffin`` command line. Kept import-free so that ``puffin --version`` stays cheap."""
