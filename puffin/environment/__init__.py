"""Target interpreters: finding them, asking them about themselves, and their wheel tags.

* :mod:`puffin.environment.discovery` finds the interpreter a command works on.
* :mod:`puffin.environment.query` runs ``_probe.py`` in it and caches the answer as an
  :class:`~puffin.environment.query.Interpreter`.
* :mod:`puffin.environment.tags` computes its supported wheel tags from that answer.
* :mod:`puffin.environment.target` turns it into the
  :class:`~puffin.environment.target.TargetEnvironment` a resolution is for.

Nothing is imported here: this package is on every command's start-up path.
"""
