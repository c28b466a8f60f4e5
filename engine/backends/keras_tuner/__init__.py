"""The Keras Tuner backend (`tuner`), its space translation (`hyperparameters`), everything it
needs of Keras Tuner beyond the public API (`compat`) and its parallel mode, Keras Tuner's own
distributed chief and workers (`cluster`, `coordinator`, `chief`, `worker`)."""
