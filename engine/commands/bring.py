"""Work brought from elsewhere, as a tunedeck space: a Keras Tuner build function's declared
space (`tunedeck space --from net.py:build_model`), a W&B sweep or an NNI search space (read
by `Space.load` itself), and the way back (`--to wandb|nni`).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from engine.errors import InputError
from engine.space import Space
from engine.user.code import CodeRef


def space_from(source: str, dataset: str | None = None) -> Space:
    """The space of `source`: a file tunedeck reads (its own, a sweep, an NNI space), or
    `FILE.py:FUNCTION` / `MODULE:FUNCTION` naming a build function, whose declared space it
    is. A space naming a build function gets what that function declares, too; it is
    called with the `input_shape`, `n_outputs` and `task` of `dataset` when given."""
    from engine.model.discovery import discover_space

    grid = False
    if _is_function(source):
        ref = CodeRef.parse(source, "--from")
        grid = names_grid(ref)
        key = "params" if grid else "model"  # a param_grid, read as a space; or a model
        space = Space.from_dict({key: str(ref)}, base_dir=os.getcwd())
    else:
        space = Space.load(source)
    target = None
    if dataset is not None and space.source.model is not None:
        from engine.data.datasets import load_dataset
        from engine.model.factory import target_for

        target = target_for(space, load_dataset(dataset, task=space.source.task))
    found, discovery = discover_space(space, target)
    if _is_function(source) and not grid and not discovery.declared and discovery.by_name:
        raise InputError(
            f"model: {source} takes no values by name, so nothing in it is tuned; tune the "
            "training and optimizer settings instead, e.g. from your param_grid "
            "(tunedeck space --from FILE.py:param_grid)"
        )
    if _is_function(source) and not grid and not discovery.declared:
        mapped = sorted(discovery.mapped)
        raise InputError(
            f"model: {source} declares no hyperparameters (no hp.Int, hp.Choice, … calls)"
            + (
                f"; it reads {', '.join(mapped)} as a mapping: list them under params"
                if mapped
                else ""
            )
        )
    return replace(found, note=space.note) if space.note and not found.note else found


def names_grid(ref: CodeRef) -> bool:
    """Whether `FILE.py:NAME` names a literal dict or list (a param_grid) rather than code."""
    from engine.space.literal import PythonFile

    if not ref.is_file or not Path(ref.target).is_file():
        return False
    source = PythonFile.read(Path(ref.target), "--from")
    return isinstance(source.bindings().get(ref.function), dict | list)


def _is_function(source: str) -> bool:
    """`x.py:f` or `pkg.mod:f` rather than a file (a Windows drive letter aside)."""
    head, sep, tail = source.rpartition(":")
    named = all(part.isidentifier() for part in tail.split("."))  # `f`, or `MyHyperModel.build`
    return bool(sep) and named and not Path(source).exists() and len(head) > 1


def export_text(space: Space, to: str) -> str:
    """`space` as a W&B sweep (YAML) or an NNI search space (JSON)."""
    if to == "wandb":
        import yaml

        from engine.space.convert_wandb import to_sweep

        return yaml.safe_dump(to_sweep(space), sort_keys=False, default_flow_style=None)
    from engine.space.convert_nni import to_nni

    return json.dumps(to_nni(space), indent=2) + "\n"
