"""Services: the use cases over the lower layers (storage, extract, net), shared by every edge.

``Service`` is the application object: built once from ``Settings`` by the CLI or by ``create_app``, it owns
the migrated database handle and the ingestor, and offers what the edges do (store, fetch, summarize, feeds,
keys). The edges only parse what they are given, call it, and present the result.
"""

from newsbrief.services.service import Service

__all__ = ["Service"]
