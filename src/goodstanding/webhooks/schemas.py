from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, HttpUrl


class EndpointCreate(BaseModel):
    url: HttpUrl
    event_types: list[str] = Field(default_factory=list, max_length=100)
    description: str = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    active: bool
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_...). Shown only once.")


class DeliveryOut(BaseModel):
    id: str
    endpoint_id: str
    message_id: str
    event_type: str
    subject_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
