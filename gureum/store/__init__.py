"""Storage behind a small interface: a transaction function runs on the store's own thread(s).

Services write synchronous ``fn(tx)`` functions with portable SQL (``?`` placeholders) and await
``store.write(fn)`` / ``store.read(fn)``; nothing blocks the event loop.
"""

from .base import Store, Tx, open_store

__all__ = ["Store", "Tx", "open_store"]
