"""The headless commands, the top of the engine: what each command does (`headless`), one search
run in a run directory (`runner`: lock, journal, backend, retrain, best.yaml), the
commands that continue a search (`more`: more trials, a changed space, a queued configuration),
train its best again with several seeds (`seeds`), or bring work from elsewhere as a space
(`bring`: a Keras Tuner build function, a HyperModel, a param_grid, a W&B sweep, an NNI space).

Heavy modules are imported inside the commands that need them, so `--help` stays fast."""
