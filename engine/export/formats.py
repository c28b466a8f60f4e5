"""The export formats, named once for the command line, the exporter and the console's dialog."""

from __future__ import annotations

FORMATS = ("yaml", "json", "csv", "python", "keras")
SUFFIX = {"yaml": ".yaml", "json": ".json", "csv": ".csv", "python": ".py", "keras": ".keras"}
WHAT = {
    "yaml": "best configuration and score (YAML)",
    "json": "best configuration and score (JSON)",
    "csv": "every trial, one row each",
    "python": "standalone Keras script of the best model",
    "keras": "the retrained best model (.keras)",
}
