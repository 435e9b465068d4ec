"""SHP602 weights-count."""
from __future__ import annotations

from shapecheck.rule import Rule


class WeightsCount(Rule):
    """## What it does
    Checks that `set_weights` gets as many arrays as the layer has weights.

    ## Why is this bad?
    A Dense layer with a bias has two weights; a list of one or three raises.
    """

    CODE = "SHP602"
    NAME = "weights-count"
    SEVERITY = "error"
    VALID = []
    INVALID = []
