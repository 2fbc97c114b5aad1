"""Every domain's job module, imported so a worker knows all tasks by name."""

from __future__ import annotations

import importlib
import pkgutil

import goodstanding


def load_all_tasks() -> None:
    for module in pkgutil.walk_packages(goodstanding.__path__, prefix="goodstanding."):
        if module.name.endswith(".tasks") and module.name != "goodstanding.tasks":
            importlib.import_module(module.name)
