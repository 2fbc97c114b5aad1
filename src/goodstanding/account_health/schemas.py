from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PlanIn(BaseModel):
    root_cause: str = Field(default="", max_length=6000)
    corrective_actions: str = Field(default="", max_length=6000)
    preventive_measures: str = Field(default="", max_length=6000)


class PlanCheckIn(BaseModel):
    violation_ids: list[str] = Field(min_length=1, max_length=50)
    plan: PlanIn


class AppealIn(BaseModel):
    """An appeal without files (the page takes files; the API takes the words)."""

    violation_ids: list[str] = Field(min_length=1, max_length=50)
    path: Literal["plan", "dispute"] = "plan"
    plan: PlanIn | None = None
    statement: str = Field(default="", max_length=6000)


class AnswerIn(BaseModel):
    message: str = Field(min_length=1, max_length=6000)
