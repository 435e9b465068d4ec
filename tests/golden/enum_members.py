"""A member of a plain ``enum.Enum`` is itself, not the value it was assigned: it is no ``str``,
equal to no string, and never None, so a converter that normalises ``str`` arguments
(``Format[fmt.upper()]``) keeps the member it is given and takes only its branch. An enum that
mixes in ``str`` compares as its values."""
from enum import Enum

import torch


class BoxFormat(Enum):
    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWHR = "CXCYWHR"


class Mode(str, Enum):
    SOFT = "soft"
    HARD = "hard"


def _xywh_to_xyxy(boxes):
    out = boxes.clone()
    out[..., 2:] += out[..., :2]  # E: SHP501
    return out


def _rotated_to_xyxy(boxes):
    return boxes[..., :4]


def convert(boxes, old_format, new_format):
    if isinstance(old_format, str):
        old_format = BoxFormat[old_format.upper()]
    if old_format == new_format:
        return boxes
    if old_format == BoxFormat.XYWH:
        boxes = _xywh_to_xyxy(boxes)
    elif old_format == BoxFormat.CXCYWHR:
        boxes = _rotated_to_xyxy(boxes)
    return boxes


rotated = torch.rand(3, 5)
reveal_shape(convert(rotated, BoxFormat.CXCYWHR, BoxFormat.XYXY))  # revealed: (3, 4)
reveal_shape(convert(rotated, "cxcywhr", BoxFormat.XYXY))  # revealed: (3, 4)
reveal_shape(BoxFormat.XYXY == "XYXY")  # revealed: False
reveal_shape(BoxFormat("XYWH") is BoxFormat.XYWH)  # revealed: True
reveal_shape(BoxFormat.XYWH.value)  # revealed: 'XYWH'
reveal_shape(Mode.SOFT == "soft")  # revealed: True
convert(rotated, "xywh", BoxFormat.XYXY)
