"""Bodies and answers of the two-step verification API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class FactorView(BaseModel):
    id: str
    kind: str
    label: str
    created_at: datetime
    last_used_at: datetime | None


class Label(BaseModel):
    label: str = Field(min_length=1, max_length=80)


class TotpEnrolmentView(BaseModel):
    secret: str
    qr_code: str


class TotpConfirm(BaseModel):
    code: str = Field(max_length=16)
    label: str = Field(default="", max_length=80)


class PasskeyRegistration(BaseModel):
    credential: dict[str, Any]
    label: str | None = Field(default=None, max_length=80)


class PasskeyAnswer(BaseModel):
    credential: dict[str, Any]
    trust: bool = False


class SecondStepCode(BaseModel):
    method: str
    code: str = Field(max_length=64)
    trust: bool = False


class SecondStepSend(BaseModel):
    method: str


class BackupCodesView(BaseModel):
    codes: list[str]


class TrustedDeviceView(BaseModel):
    id: str
    device: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class Next(BaseModel):
    next: str
