"""The policy file: its Pydantic models and the loader that refuses a bad file with the line named.

The shipped ``default_policies.toml`` is read first; an operator's override file is merged over it
(tables merge key by key, arrays and plain values replace, and a table that states its own ``kind``
replaces the default table whole, so a condition never mixes keys of two kinds). Every error names
the file and the line where the offending key is written.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from goodstanding.detectors.categories import DEFAULT_RESTRICTIONS, Category, Restriction
from goodstanding.policy.enums import (
    Action,
    Comparison,
    DocumentKind,
    InactivityRule,
    Metric,
    MetricUnit,
    Severity,
    Signal,
)
from goodstanding.policy.toml_lines import KeyPath, TomlLineIndex

DEFAULT_POLICY_FILE_NAME = "default_policies.toml"
POLICY_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

# The placeholders a notice may use, by condition kind; notice.py fills exactly these.
NOTICE_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "metric": frozenset(
        {"value", "numerator", "denominator", "window_start", "window_end", "window_days", "target"}
    ),
    "detector_signal": frozenset({"count", "subjects", "first_detected", "last_detected"}),
    "document": frozenset({"documents"}),
    "inactivity": frozenset({"since", "days", "due_on"}),
}

_THRESHOLD_RANGES: Mapping[MetricUnit, tuple[Decimal, Decimal | None]] = {
    MetricUnit.RATIO: (Decimal(0), Decimal(1)),
    MetricUnit.STARS: (Decimal(1), Decimal(5)),
    MetricUnit.SALES_PER_WEEK: (Decimal(0), None),
}


# What one element of an array key is called in messages ("unknown action", not "unknown ladder").
_ELEMENT_NOUNS: Mapping[str, str] = {"ladder": "action", "documents": "document kind"}


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricCondition(_PolicyModel):
    kind: Literal["metric"]
    metric: Metric
    target: Comparison
    threshold: Decimal
    window_days: PositiveInt
    # Below this many measured items (orders, ratings) the rule does not apply at all.
    min_sample: NonNegativeInt = 0


class SignalCondition(_PolicyModel):
    kind: Literal["detector_signal"]
    signal: Signal
    min_confidence: Decimal = Field(default=Decimal(0), ge=0, le=1)
    min_count: PositiveInt = 1
    window_days: PositiveInt = 180


class DocumentCondition(_PolicyModel):
    kind: Literal["document"]
    documents: tuple[DocumentKind, ...] = Field(min_length=1)


class InactivityCondition(_PolicyModel):
    kind: Literal["inactivity"]
    account: str
    rule: InactivityRule
    days: PositiveInt

    @field_validator("account")
    @classmethod
    def _affiliates_only(cls, account: str) -> str:
        if account != "affiliate":
            raise ValueError(
                f"inactivity can only close 'affiliate' accounts, not {account!r}: "
                "buyer and seller accounts are never closed for inactivity"
            )
        return account


Condition = Annotated[
    MetricCondition | SignalCondition | DocumentCondition | InactivityCondition,
    Field(discriminator="kind"),
]


class PolicyText(_PolicyModel):
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    notice: str = Field(min_length=1)


class PolicyTexts(_PolicyModel):
    en: PolicyText
    es: PolicyText


class Policy(_PolicyModel):
    id: str = Field(pattern=POLICY_ID_PATTERN)
    condition: Condition
    severity: Severity
    ahr_points: int = Field(ge=0, le=1000)
    ladder: tuple[Action, ...] = Field(min_length=1)
    fix_within_days: PositiveInt | None = None
    # Automatic action needs at least this volume (orders in the window); below it a person decides.
    min_volume: NonNegativeInt = 0
    shadow: bool = False
    enabled: bool = True
    text: PolicyTexts


class _PolicyFile(_PolicyModel):
    policies: dict[str, Policy]
    # How the operator treats each restricted-product category; categories not named keep the
    # marketplace defaults (``detectors.categories.DEFAULT_RESTRICTIONS``).
    listing_categories: dict[Category, Restriction] = Field(default_factory=dict)


@dataclass(frozen=True)
class PolicySet:
    """The enabled policies after merging, in file order, and the listing category settings."""

    policies: tuple[Policy, ...]
    sources: tuple[Path, ...]
    listing_categories: Mapping[Category, Restriction] = field(
        default_factory=lambda: DEFAULT_RESTRICTIONS
    )

    @cached_property
    def by_id(self) -> Mapping[str, Policy]:
        return {policy.id: policy for policy in self.policies}


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.where}: {self.what}"


class PolicyFileError(Exception):
    """A policy file that cannot be used; its message has one ``file:line: key: problem`` each."""

    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def default_policy_file() -> Path:
    return Path(str(resources.files("goodstanding.policy").joinpath(DEFAULT_POLICY_FILE_NAME)))


def load_policies(override: Path | None = None, *, defaults: Path | None = None) -> PolicySet:
    """Read the shipped defaults, merge the operator's override over them, and validate the result.

    Raises PolicyFileError naming the file and line of every problem found.
    """
    sources = [_SourceFile.read(defaults or default_policy_file())]
    if override is not None:
        sources.append(_SourceFile.read(override))
    merged: dict[str, Any] = {}
    for source in sources:
        merged = _merge(merged, source.data)
    _inject_policy_ids(merged, sources)
    try:
        parsed = _PolicyFile.model_validate(merged)
    except ValidationError as error:
        raise PolicyFileError(
            sorted(
                (_problem_from_pydantic(detail, merged, sources) for detail in error.errors()),
                key=lambda problem: (problem.file, problem.line),
            )
        ) from None
    problems = [
        _locate(path, what, sources)
        for policy in parsed.policies.values()
        for path, what in _semantic_problems(policy)
    ]
    if problems:
        raise PolicyFileError(problems)
    return PolicySet(
        policies=tuple(policy for policy in parsed.policies.values() if policy.enabled),
        sources=tuple(source.path for source in sources),
        listing_categories=MappingProxyType({**DEFAULT_RESTRICTIONS, **parsed.listing_categories}),
    )


# --- reading and merging -------------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceFile:
    path: Path
    data: dict[str, Any]
    lines: TomlLineIndex

    @classmethod
    def read(cls, path: Path) -> _SourceFile:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problem = PolicyProblem(str(path), 0, "file", f"cannot read: {error}")
            raise PolicyFileError([problem]) from None
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as error:
            raise PolicyFileError(
                [PolicyProblem(str(path), _syntax_error_line(error), "syntax", str(error))]
            ) from None
        return cls(path=path, data=data, lines=TomlLineIndex(text))


def _syntax_error_line(error: tomllib.TOMLDecodeError) -> int:
    lineno = getattr(error, "lineno", None)  # Python 3.14+
    if isinstance(lineno, int):
        return lineno
    marker = "(at line "
    message = str(error)
    if marker in message:
        return int(message.split(marker, 1)[1].split(",", 1)[0])
    return 0


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict) and "kind" not in value:
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _inject_policy_ids(merged: dict[str, Any], sources: Sequence[_SourceFile]) -> None:
    """The table name is the policy id; copying it in keeps the id on the validated model."""
    policies = merged.get("policies")
    if not isinstance(policies, dict):
        return
    for policy_id, body in policies.items():
        if not isinstance(body, dict):
            continue
        if "id" in body:
            problem = _locate(
                ("policies", policy_id, "id"),
                "remove this key: the table name is the policy id",
                sources,
            )
            raise PolicyFileError([problem])
        policies[policy_id] = {"id": policy_id, **body}


# --- problems and their lines --------------------------------------------------------------------


def _locate(path: KeyPath, what: str, sources: Sequence[_SourceFile]) -> PolicyProblem:
    """Blame the file whose text holds the longest prefix of the path (the override on a tie)."""
    best_source, best_line, best_length = sources[-1], 0, -1
    for source in reversed(sources):
        line, length = source.lines.line_of(path)
        if length > best_length:
            best_source, best_line, best_length = source, line, length
    return PolicyProblem(
        file=str(best_source.path), line=best_line, where=_dotted(path) or "file", what=what
    )


def _dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


_ABSENT = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _data_path(loc: tuple[int | str, ...], data: Any) -> KeyPath:
    """Pydantic's error location with the union tags it inserts removed: only keys of the data."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        is_last = index == len(loc) - 1
        if isinstance(node, dict) and node.get("kind") == part and not is_last:
            continue  # the union tag pydantic puts between "condition" and its field
        child = _child(node, part)
        if child is _ABSENT and not is_last:
            continue  # another inserted step of pydantic's, not a key of the file
        node = child  # a missing last key stays in the path so the message names it
        path.append(part)
    return tuple(path)


def _problem_from_pydantic(
    detail: ErrorDetails, merged: Mapping[str, Any], sources: Sequence[_SourceFile]
) -> PolicyProblem:
    loc = detail["loc"]
    is_key = loc[-1] == "[key]"  # pydantic's step for a dict key that failed validation
    path = _data_path(loc[:-1] if is_key else loc, merged)
    field = next((part for part in reversed(path) if isinstance(part, str)), "value")
    field = _ELEMENT_NOUNS.get(field, field) if isinstance(path[-1], int) else field
    context = detail.get("ctx", {})
    kind = detail["type"]
    if path[0] == "listing_categories" and kind == "enum":
        named = "category" if is_key else f"setting for {field}"
        what = f"unknown {named} {detail['input']!r}; expected {context.get('expected', '')}"
    elif kind in ("enum", "literal_error"):
        what = f"unknown {field} {detail['input']!r}; expected {context.get('expected', '')}"
    elif kind == "union_tag_invalid":
        expected = context.get("expected_tags")
        what = f"unknown {field} kind {context.get('tag')!r}; expected {expected}"
    elif kind == "union_tag_not_found":
        what = f"missing 'kind'; expected {', '.join(NOTICE_PLACEHOLDERS)}"
    elif kind == "missing":
        what = f"missing required key '{field}'"
    elif kind == "extra_forbidden":
        what = f"unknown key '{field}'"
    elif kind == "value_error":
        what = str(context.get("error", detail["msg"]))
    else:
        what = f"{detail['msg']} (got {detail['input']!r})"
    return _locate(path, what, sources)


def _semantic_problems(policy: Policy) -> list[tuple[KeyPath, str]]:
    """Rules that span several keys, checked once each key is known to be well formed."""
    here: KeyPath = ("policies", policy.id)
    problems: list[tuple[KeyPath, str]] = []
    condition = policy.condition
    if isinstance(condition, MetricCondition):
        low, high = _THRESHOLD_RANGES[condition.metric.unit]
        if condition.threshold < low or (high is not None and condition.threshold > high):
            upper = "" if high is None else f" and {high}"
            problems.append(
                (
                    (*here, "condition", "threshold"),
                    f"threshold {condition.threshold} for {condition.metric} must lie between "
                    f"{low}{upper} ({condition.metric.unit})",
                )
            )
    for index, (earlier, later) in enumerate(zip(policy.ladder, policy.ladder[1:], strict=False)):
        if later.weight < earlier.weight:
            problems.append(
                (
                    (*here, "ladder", index + 1),
                    f"'{later}' after '{earlier}' steps back down; a ladder only escalates",
                )
            )
    if policy.ladder[0] is Action.SUSPENSION and policy.severity is not Severity.CRITICAL:
        problems.append(
            (
                (*here, "ladder", 0),
                f"only a critical policy may suspend at once; this one is {policy.severity}",
            )
        )
    has_warning = Action.WARNING in policy.ladder
    if has_warning and policy.fix_within_days is None:
        problems.append(((*here, "fix_within_days"), "a warning step needs fix_within_days"))
    if not has_warning and policy.fix_within_days is not None:
        problems.append(
            ((*here, "fix_within_days"), "fix_within_days only applies to a warning step")
        )
    allowed = NOTICE_PLACEHOLDERS[condition.kind]
    for language in ("en", "es"):
        notice = getattr(policy.text, language).notice
        where: KeyPath = (*here, "text", language, "notice")
        problems.extend((where, message) for message in _placeholder_problems(notice, allowed))
    return problems


def _placeholder_problems(notice: str, allowed: frozenset[str]) -> list[str]:
    try:
        fields = list(string.Formatter().parse(notice))
    except ValueError as error:
        return [f"bad placeholder braces ({error}); write {{{{ and }}}} for literal braces"]
    problems: list[str] = []
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            problems.append(
                f"unknown placeholder {{{name}}}; this condition offers "
                + ", ".join(f"{{{known}}}" for known in sorted(allowed))
            )
        elif spec or conversion:
            problems.append(f"placeholder {{{name}}} takes no format: numbers follow the language")
    return problems
