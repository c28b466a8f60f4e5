"""Planning a search, the light part: which backend, algorithm and how many workers (planner),
the machine's GPUs and usable cores (devices, cores), the median stopping rule (pruning) and,
under several objectives, dominance at the same epoch (front_pruning).

Pure Python over the space and settings: the console plans through `engine.face` without
loading numpy, TensorFlow or a backend (import-linter's contracts in pyproject.toml).
"""
