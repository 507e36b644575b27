"""Building source distributions and local projects into metadata, wheels and editables.

The core never calls a backend itself: it asks the ``puffin_build_env`` and ``puffin_build``
hooks for a :class:`~puffin.plugin.protocols.BuildEnvironment` and a
:class:`~puffin.plugin.protocols.Builder`, and drives them in phases. The built-in
``build_isolation`` and ``pep517`` plugins answer both hooks ``trylast``.
"""
