"""Shared test configuration; the fixtures come from the puffin plugin (puffin.testing.plugin).

That plugin is loaded through its ``pytest11`` entry point, so it is not listed here.
"""

# pytester runs pytest inside a test, for the tests of the plugin itself.
pytest_plugins = ["pytester"]
