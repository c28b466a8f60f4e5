"""Build functions a user might get wrong (the bad-input corpus)."""

import keras


def three_units(hp, input_shape):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def not_a_model(hp):
    return {"layers": 2}


def mlp(hp, input_shape, n_outputs):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(n_outputs, activation="softmax"),
        ]
    )
