"""Loaders a user might get wrong (the bad-input corpus)."""

import numpy as np


def mismatched():
    return np.zeros((100, 4)), np.arange(90) % 2


def with_nan():
    x = np.ones((100, 4))
    x[7, 2] = np.nan
    return x, np.arange(100) % 2


def objects():
    return np.array([[1, "a"]] * 100, dtype=object), np.arange(100) % 2


def one_class():
    return np.ones((100, 4)), np.zeros(100, dtype=int)


def raises():
    raise FileNotFoundError("/data/train.parquet")
