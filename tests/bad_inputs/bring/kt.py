"""Keras Tuner build functions that cannot give a space."""

import keras


def raises(hp):
    hp.Int("units", 8, 64, step=8)
    raise RuntimeError("set CUDA_VISIBLE_DEVICES first")


def twice(hp):
    units = hp.Int("units", 8, 64, step=8)
    if hp.Boolean("wide"):
        units = hp.Choice("units", [128, 256])
    return keras.Sequential([keras.layers.Dense(units), keras.layers.Dense(10)])


def nothing(hp):
    return keras.Sequential([keras.layers.Dense(hp["units"]), keras.layers.Dense(10)])


def reverse_log(hp):
    rate = hp.Float("decay", 0.9, 0.999, sampling="reverse_log")
    return keras.Sequential([keras.layers.Dropout(1 - rate), keras.layers.Dense(10)])
