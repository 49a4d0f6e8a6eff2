"""Built-in backends: plugin modules registered through the same hooks as installed plugins.

Together they make the embedded default stack: ``sqlite`` KV, ``numpy`` vectors,
``hash`` embedder (when no model is installed) and the ``heuristic`` scorer.
"""
