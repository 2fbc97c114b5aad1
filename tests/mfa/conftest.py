from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from goodstanding.kit.db import Database
from mfa.people import MfaApi, Person, add_account


@pytest.fixture
def ana(database: Database) -> Person:
    return add_account(database)


@pytest.fixture
def api(client: TestClient) -> MfaApi:
    return MfaApi(client)
