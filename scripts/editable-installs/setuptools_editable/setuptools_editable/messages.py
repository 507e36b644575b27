"""The text that :func:`setuptools_editable.greet` returns. Edit it to try an editable install."""

GREETING = "Hello from setuptools-editable!"
