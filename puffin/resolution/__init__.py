"""Resolution against real sources: the provider behind the PubGrub solver.

``puffin/resolver/`` is the pure solver; this package feeds it from an
:class:`~puffin.index.strategy.IndexSet` (versions), the index sources (metadata), the
target environment (markers, tags, Python) and the plugins (candidate filters), and turns
its answer into a :class:`~puffin.types.Resolution` or a worded explanation.
"""
