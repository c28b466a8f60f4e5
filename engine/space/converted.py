"""A space file written for another tool, recognised and converted (`Space.load` asks)."""

from __future__ import annotations

from typing import Any

from engine.space.convert_best import from_best, is_best_record
from engine.space.convert_nni import from_nni, is_nni
from engine.space.convert_wandb import from_sweep, is_sweep


def convert(data: Any) -> tuple[Any, str]:
    """(a tunedeck space's file form, a line saying what was converted — empty when `data`
    already is a tunedeck space): a best configuration (`best.yaml`), a W&B sweep
    (`parameters:`) or an NNI search space (every entry has a `_type`)."""
    if is_best_record(data):
        return from_best(data)
    if is_sweep(data):
        return from_sweep(data)
    if is_nni(data):
        return from_nni(data)
    return data, ""
