"""The Keras Tuner backend (`tuner`), its space translation (`hyperparameters`) and its
parallel mode, Keras Tuner's own distributed chief and workers (`distributed`)."""
