"""Database tables, one module per table.

Every module in this package is imported here so that ``Base.metadata`` (and so Alembic) sees every
table, whichever domain defines it.
"""

from __future__ import annotations

import importlib
import pkgutil

from goodstanding.kit.db import Base


def load_all_models() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_all_models()

__all__ = ["Base", "load_all_models"]
