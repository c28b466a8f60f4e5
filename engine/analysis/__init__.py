"""What a run's trials mean, computed from its replayed journal: best-so-far, hyperparameter
importance, per-parameter slices, metric curves, trial and run comparisons, failures, and a
self-contained HTML report.

Importing this package loads no numpy, scikit-learn or plotting library: importance and the
report import them inside the functions that need them, so the console (through engine.face)
and `tunedeck` stay instant.
"""
