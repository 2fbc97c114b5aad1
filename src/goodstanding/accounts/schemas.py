"""Request and reply bodies of the accounts API (``/api/v1/auth``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from goodstanding.models.account import Account


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUp(Body):
    name: str = Field(max_length=400)
    email: str = Field(max_length=400)
    phone: str = Field(max_length=40)
    password: str = Field(max_length=1024)
    roles: list[Literal["seller", "affiliate"]] = Field(default_factory=list, max_length=2)


class Code(Body):
    code: str = Field(max_length=20)


class SignIn(Body):
    identifier: str = Field(max_length=400)
    password: str = Field(max_length=1024)
    altcha: str | None = Field(default=None, max_length=4096)


class Password(Body):
    password: str = Field(max_length=1024)


class ForgotPassword(Body):
    identifier: str = Field(max_length=400)
    altcha: str | None = Field(default=None, max_length=4096)


class ForgotUsername(Body):
    phone: str = Field(max_length=40)
    altcha: str | None = Field(default=None, max_length=4096)


class Name(Body):
    name: str = Field(max_length=400)


class Email(Body):
    email: str = Field(max_length=400)


class Phone(Body):
    phone: str = Field(max_length=40)


class Confirmation(Body):
    confirmation: str = Field(max_length=400)


class Token(Body):
    token: str = Field(max_length=200)


class AccountView(BaseModel):
    id: str
    name: str
    email: str
    phone: str | None
    roles: list[str]
    email_verified: bool
    phone_verified: bool

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            id=account.id,
            name=account.name,
            email=account.email,
            phone=account.phone,
            roles=list(account.roles),
            email_verified=account.email_verified_at is not None,
            phone_verified=account.phone_verified_at is not None,
        )


class SessionState(BaseModel):
    signed_in: bool
    csrf_token: str
    account: AccountView | None


class Next(BaseModel):
    next: str
    sent_to: str | None = None


class MaskedIdentifiersView(BaseModel):
    next: str
    email: str
    phone: str


class SessionView(BaseModel):
    id: str
    device: str
    place: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class EventView(BaseModel):
    tag: str
    description: str
    at: datetime
    ip: str | None
    user_agent: str | None
