"""The export formats, named once for the command line, the exporter and the console's dialog."""

from __future__ import annotations

FORMATS = ("yaml", "json", "csv", "history", "python", "keras", "tensorboard")
SUFFIX = {
    "yaml": ".yaml",
    "json": ".json",
    "csv": ".csv",
    "history": ".csv",
    "python": ".py",
    "keras": ".keras",
    "tensorboard": "/",
}
FOLDERS = ("tensorboard",)  # formats written as a folder, not a file
WHAT = {
    "yaml": "best configuration and score (YAML)",
    "json": "best configuration and score (JSON)",
    "csv": "every trial, one row each (fold and test scores)",
    "history": "every epoch's metrics of every trial (long CSV)",
    "python": "standalone Keras script of the best model",
    "keras": "the retrained best model (.keras)",
    "tensorboard": "HParams table and curves, a folder for tensorboard --logdir",
}
PICKABLE = ("yaml", "json", "python")  # formats of one trial's configuration (`--pick`)
WHAT_PICKED = {
    "yaml": "its configuration and values (YAML)",
    "json": "its configuration and values (JSON)",
    "python": "standalone Keras script of its model",
}
