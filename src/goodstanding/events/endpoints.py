"""``POST /api/v1/events``: a JSON array or an NDJSON stream of up to 10,000 events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Request, Response

from goodstanding.events.errors import MalformedEvents, TooManyEvents
from goodstanding.events.readers import Unreadable
from goodstanding.events.schemas import IntakeOut, RefusedEventOut
from goodstanding.events.service import MAX_BATCH, event_service
from goodstanding.integrations.deps import require_api_key
from goodstanding.integrations.service import Scope
from goodstanding.models.api_key import ApiKey
from goodstanding.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["events"])

EventsWrite = Annotated[ApiKey, Depends(require_api_key(Scope.events_write))]
NDJSON = "application/x-ndjson"
_T = TypeVar("_T")


def decode_batch(body: bytes, content_type: str) -> list[object]:
    """The raw events of a request body: a JSON array, or NDJSON where a line that is not JSON is
    kept as ``Unreadable`` so that intake refuses just that event."""
    if content_type.split(";")[0].strip().lower() == NDJSON:
        try:
            lines = body.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            raise MalformedEvents("The body is not UTF-8 text.") from None
        raws: list[object] = []
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                raws.append(orjson.loads(line))
            except orjson.JSONDecodeError as error:
                raws.append(
                    Unreadable(line_number, f"line {line_number}: invalid JSON: {error.msg}")
                )
            if len(raws) > MAX_BATCH:
                break
    else:
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise MalformedEvents(f"The body is not valid JSON: {error}") from None
        if not isinstance(decoded, list):
            raise MalformedEvents(
                "The body must be a JSON array of events (or NDJSON, one event per line)."
            )
        raws = decoded
    if len(raws) > MAX_BATCH:
        raise TooManyEvents(f"Send at most {MAX_BATCH} events per request.", limit=MAX_BATCH)
    return raws


_intake_thread = ThreadPoolExecutor(1, thread_name_prefix="intake")
_LOOP_TURN_SECONDS = 0.05


async def _holding_the_loop(function: Callable[..., _T], *arguments: Any) -> _T:
    """``function(*arguments)`` run in this process's intake thread while the event loop waits
    for it, given back to the loop every ``_LOOP_TURN_SECONDS`` for one turn.

    Intake is CPU-bound Python: a server process busy with a batch should not accept the next
    connection, which a free process then takes (`serve --workers N`). A loop that waits here
    accepts none, where one that awaited a thread would take half of them (1M events, two workers,
    PostgreSQL: 10,357 events/s with 26 and 48 CPU seconds per worker). But intake also waits for
    database locks, which another request of this process may hold until the loop schedules its
    commit: the loop's turns let it, where a wait on the loop itself would never end (three
    concurrent batches with a new API key hung PostgreSQL and failed on SQLite)."""
    pending = _intake_thread.submit(function, *arguments)
    while True:
        try:
            return pending.result(timeout=_LOOP_TURN_SECONDS)
        except TimeoutError:
            await asyncio.sleep(0)


def _intake_turn(request: Request) -> asyncio.Lock:
    """The app's turn to take in a batch (in a server, one app per process): while one batch
    gives the loop its turn, another request must not start a second."""
    state = request.app.state
    if not hasattr(state, "intake_turn"):
        state.intake_turn = asyncio.Lock()
    turn: asyncio.Lock = state.intake_turn
    return turn


@router.post(
    "/events",
    response_model=IntakeOut,
    responses={400: {}, 401: {}, 403: {}, 413: {}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                NDJSON: {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_events(
    request: Request, response: Response, db: DbSession, key: EventsWrite
) -> IntakeOut:
    """Take in a batch of marketplace events. Repeated events are reported as duplicates and have
    no further effect; invalid ones are refused with their index and reason, the rest are kept."""
    raws = decode_batch(await request.body(), request.headers.get("content-type", ""))
    async with _intake_turn(request):
        result = await _holding_the_loop(event_service.ingest, db, raws)
    # The reply closes the connection so that the client's next batch is placed anew, on a
    # process that is free (``_holding_the_loop``), instead of following a kept-alive connection
    # back to whichever process took it first: two clients on two kept-alive connections ended up
    # on the same process in 3 of 5 benchmark runs, at about half the throughput
    # (docs/benchmarks.md). A reconnect costs far less than a batch.
    response.headers["Connection"] = "close"
    return IntakeOut(
        accepted=result.accepted,
        duplicate=result.duplicate,
        refused=len(result.refused),
        refused_events=[
            RefusedEventOut(index=refusal.index, event_id=refusal.event_id, reason=refusal.reason)
            for refusal in result.refused
        ],
    )
