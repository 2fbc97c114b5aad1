"""Pausing the cyclic garbage collector around bulk work; freezing what a server starts with."""

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from goodstanding.kit.collector import cyclic_collection_paused, startup_objects_frozen


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_back_after() -> None:
    with cyclic_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_resume_only_when_the_last_one_ends() -> None:
    first_inside = threading.Event()
    second_done = threading.Event()
    states: list[bool] = []

    def first() -> None:
        with cyclic_collection_paused():
            first_inside.set()
            second_done.wait(5)
            states.append(gc.isenabled())

    worker = threading.Thread(target=first)
    worker.start()
    first_inside.wait(5)
    with cyclic_collection_paused():
        pass
    states.append(gc.isenabled())
    second_done.set()
    worker.join(5)
    assert states == [False, False]
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with cyclic_collection_paused():
        pass
    assert not gc.isenabled()


def test_an_error_inside_still_resumes_collection() -> None:
    with pytest.raises(RuntimeError), cyclic_collection_paused():
        raise RuntimeError("batch failed")
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.other: object = self


def test_objects_held_at_start_up_are_frozen_while_serving_and_handed_back_after() -> None:
    held = [_Node() for _ in range(100)]
    with startup_objects_frozen():
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0


def test_garbage_frozen_at_start_up_is_collected_once_the_server_stops() -> None:
    cycle = _Node()
    collected = weakref.ref(cycle)
    del cycle
    with startup_objects_frozen():
        gc.collect()
        assert collected() is not None
    gc.collect()
    assert collected() is None


def test_the_app_freezes_its_start_up_objects_for_as_long_as_it_runs() -> None:
    from fastapi.testclient import TestClient

    from goodstanding.app import create_app
    from goodstanding.config import Settings

    app = create_app(Settings(database_url="sqlite:///:memory:"))
    with TestClient(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
