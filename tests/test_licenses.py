"""Every dependency's licence must be compatible with Apache-2.0: no GPL or AGPL libraries."""

from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement

# LGPL is compatible when the library is used unmodified as a library (psycopg is LGPL-3.0).
INCOMPATIBLE = re.compile(r"(?<!L)(A?GPL|GNU General Public|Affero)", re.IGNORECASE)
# Dual-licensed packages whose metadata names a GPL option alongside a permissive one.
DUAL_LICENSED_PERMISSIVE = {"text-unidecode"}


def licence_of(distribution: metadata.Distribution) -> str:
    meta = distribution.metadata
    parts = [meta.get("License-Expression") or ""]
    parts += [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if not any(parts):
        parts.append((meta.get("License") or "")[:200])
    return " | ".join(part for part in parts if part)


def dependency_closure(root: str) -> set[str]:
    seen: set[str] = set()
    pending = [Requirement(f"{root}[dev]")]
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for raw in distribution.requires or []:
            child = Requirement(raw)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras):
                pending.append(child)
    return seen - {root}


def test_no_dependency_is_gpl() -> None:
    closure = dependency_closure("goodstanding")
    assert len(closure) > 50  # the walk reached the whole tree, not just the root
    offenders = {
        name: licence_of(metadata.distribution(name))
        for name in closure
        if name not in DUAL_LICENSED_PERMISSIVE
        and INCOMPATIBLE.search(licence_of(metadata.distribution(name)))
    }
    assert offenders == {}
