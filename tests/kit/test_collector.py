"""Pausing the cyclic garbage collector around bulk work."""

import gc
import threading
from collections.abc import Iterator

import pytest

from goodstanding.kit.collector import cyclic_collection_paused


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
