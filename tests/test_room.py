"""``analysis.room.roomy``: the work runs above one large frame, with what it gives and raises."""
from __future__ import annotations

import sys

import pytest

from shapecheck.analysis import room


def test_work_gets_its_arguments_and_gives_its_result():
    assert room.roomy(lambda a, b, c=0: (a, b, c), 1, "x") == (1, "x", 0)


def test_what_the_work_raises_goes_through():
    def fail() -> None:
        raise KeyError("inside")

    with pytest.raises(KeyError, match="inside"):
        room.roomy(fail)


def test_the_work_runs_right_above_the_wide_frame():
    def caller_code():
        return sys._getframe(1).f_code

    code = room.roomy(caller_code)
    assert code.co_nlocals >= room.ROOM_SLOTS  # (its frame: a chunk of the frame stack of its own)
    assert code.co_name == "_room"


def test_nested_rooms_and_deep_work_inside():
    def down(n: int) -> int:
        return n if n == 0 else 1 + down(n - 1)

    assert room.roomy(room.roomy, down, 500) == 500


def test_an_analysis_runs_in_a_room():
    from shapecheck.analysis import driver

    seen = []
    real = driver.Analysis._run

    def spy(self, keep_trace):
        seen.append(sys._getframe(1).f_code.co_nlocals)
        return real(self, keep_trace)

    driver.Analysis._run = spy
    try:
        from shapecheck import engine

        out = engine.check_source("import numpy as np\nx = np.zeros((3, 4)) @ np.zeros((5, 6))\n", "t.py")
    finally:
        driver.Analysis._run = real
    assert seen and seen[0] >= room.ROOM_SLOTS
    assert [d.code for d in out] == ["SHP101"]
