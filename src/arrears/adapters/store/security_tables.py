"""Tables of the desk's security: users, sessions, API tokens, the hash-chained audit log.

They live on the one `MetaData` of `tables.py` (which imports this module at its end), with
the same conventions: Money for amounts, UtcDateTime for instants, Id for surrogate keys.
"""

from __future__ import annotations

from arrears.adapters.store.tables import metadata

__all__ = ["metadata"]
