"""``POST /api/v1/events``: a JSON array or an NDJSON stream of up to 10,000 events."""

from __future__ import annotations

import asyncio
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

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


def _intake_turn(request: Request) -> asyncio.Lock:
    """The app's turn to take in a batch: in a server, one app per process."""
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
    # Intake waits for database locks (the orders another batch is writing), so it runs in a
    # worker thread, never on the event loop: the holder may be another request of this process
    # whose commit is still to be scheduled by the loop, and a wait there would never end (the
    # benchmark once hung so on PostgreSQL). It is CPU-bound Python, so a process takes one batch
    # at a time: two would only share its one interpreter lock.
    async with _intake_turn(request):
        result = await run_in_threadpool(event_service.ingest, db, raws)
    # The reply closes the connection so that the client's next batch is placed anew, most often
    # on an idle process (one busy with a batch is slower to accept), instead of following a
    # kept-alive connection back to whichever process took it first: two clients on two
    # kept-alive connections ended up on the same process in 3 of 5 benchmark runs, at about
    # half the throughput (docs/benchmarks.md). A reconnect costs far less than a batch.
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
