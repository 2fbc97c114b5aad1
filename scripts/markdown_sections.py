"""Rewrite one `## ` section of a shared markdown report, leaving the others as they are.

Several areas write their results into the same files (docs/detection.md, docs/benchmarks.md);
each owns one section and replaces only that.
"""

from pathlib import Path


def replace_section(document: str, heading: str, section: str) -> str:
    """`document` with the section under `heading` replaced by `section` (appended if absent)."""
    start = document.find(heading + "\n")
    if start < 0:
        separator = "" if not document or document.endswith("\n\n") else "\n"
        return document + separator + section
    end = document.find("\n## ", start + len(heading))
    rest = document[end + 1 :] if end >= 0 else ""
    return document[:start] + section + ("\n" + rest if rest else "")


def write_section(path: Path, heading: str, section: str, title: str) -> None:
    """Update `path`, creating it under `title` when it does not exist yet."""
    document = path.read_text() if path.exists() else f"# {title}\n\n"
    path.write_text(replace_section(document, heading, section))
