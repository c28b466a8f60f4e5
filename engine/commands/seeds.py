"""`tunedeck rerun RUN --top K --seeds N`: train the top K configurations of a finished search
again with N seeds each, on the search's own data split, and say whether the winner's lead is
larger than the seed noise (`engine.analysis.seeds`).

Each configuration × seed: fit on the training part with the configuration's early stopping,
score the model it hands over on the validation part (what the leaderboard ranks) and on the
test part, with the best epoch's validation objective beside them. Every result is one line of `seeds.jsonl`, fsynced,
so a rerun that is stopped or killed continues where it was (done pairs are skipped). The
seeds of one configuration train one traced model (`engine.model.reuse`), reset to what a fresh
model would start from, so that only the first seed pays for tracing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.analysis.seeds import SEEDS, SeedReport, read_seeds, seed_report
from engine.errors import InputError
from engine.run import jsonlines
from engine.run.journal_problems import nothing_recorded
from engine.run.rundir import RunDir
from engine.run.states import TrialStatus

LOCK = "seeds.lock"


def rerun(run_dir: str | Path, top: int, seeds: int, say: Callable[[str], None]) -> SeedReport:
    from filelock import FileLock, Timeout

    from engine.analysis.runs import open_run
    from engine.data.datasets import dataset_for
    from engine.model.builder import quiet_tensorflow
    from engine.model.callbacks import TrialCallbacks
    from engine.model.discovery import with_discovered
    from engine.model.factory import make_factory

    run = RunDir.open(run_dir)
    results = open_run(run.path)
    if run.is_running():
        raise InputError(
            "a search is running there: rerun it once the search has ended", source=str(run.path)
        )
    board = [t for t in results.leaderboard() if t.status == TrialStatus.COMPLETED][:top]
    if not board:
        raise nothing_recorded(run.path, "no completed trial to train again")
    space, settings = run.space(), run.settings()
    if settings.seed + seeds > 2**32:  # seeds count up from the search's own
        raise InputError(
            f"--seeds: {seeds:,} seeds from the search's seed {settings.seed} pass "
            f"{2**32 - 1}, the largest seed NumPy and Keras take"
        )
    done = {(str(r["trial_id"]), r.get("seed")) for r in read_seeds(run.path)}
    seed_range = range(settings.seed, settings.seed + seeds)
    left = [t for t in board for seed in seed_range if (t.trial_id, seed) not in done]
    if left:
        say(_plan_line(left, seeds))
    dataset = dataset_for(space, settings)
    quiet_tensorflow()
    space = with_discovered(space, dataset)
    factory = make_factory(space, dataset)
    goal = factory.objective
    callbacks = TrialCallbacks.of(space, run.path, goal)  # the space's own, fresh per seed
    try:
        with FileLock(run.path / LOCK, timeout=0):
            for trial in board:
                config = {**space.defaults(), **trial.hyperparameters}
                if settings.epochs is not None:
                    config["epochs"] = settings.epochs
                for seed in seed_range:
                    if (trial.trial_id, seed) in done:
                        continue
                    own = callbacks.for_trial(config, trial.trial_id, f"seed_{seed}")
                    val, best, test = train_once(
                        factory, config, dataset, seed, goal.metric, goal.direction, own
                    )
                    record = {
                        "trial_id": trial.trial_id,
                        "seed": seed,
                        "val": val,
                        "best": best,
                        "test": test,
                    }
                    jsonlines.append(run.path / SEEDS, record)
                    shown = "-" if test is None else f"{test:.4f}"
                    say(
                        f"trial {trial.trial_id} seed {seed}: {goal.metric} {val:.4f}, test {shown}"
                    )
    except Timeout:
        raise InputError("another rerun is writing there", source=str(run.path)) from None
    order = [t.trial_id for t in results.leaderboard()]
    return seed_report(
        read_seeds(run.path), goal.metric, goal.direction, results.best_trial_id, order
    )


def _plan_line(left: Sequence[Any], seeds: int) -> str:
    """What the rerun will train (`left`: a configuration per fit still to do) and, from the
    same trials' times in the search, how long: said before the first fit, so that a count
    too large is seen at once."""
    from engine.run.estimate import about

    configurations = len({t.trial_id for t in left})
    what = (
        f"rerun: {len(left):,} fit{'s' * (len(left) != 1)} ({configurations} "
        f"configuration{'s' * (configurations != 1)}, up to {seeds} seeds each)"
    )
    times = [t.duration for t in left]
    if not all(times):
        return what
    return f"{what}, {about(sum(times))} by their trials' times in the search"


def train_once(
    factory: Any,
    config: dict[str, Any],
    dataset: Any,
    seed: int,
    metric: str,
    direction: str,
    own: Sequence[Any] = (),
) -> tuple[float, float, float | None]:
    """(the handed-over model's `metric` on validation, the best epoch's, the handed-over
    model's on test) for one seed; `own`: the space's own callbacks for this fit."""
    import keras

    from engine.model.keras_build import make_callbacks
    from engine.model.user_fit import train

    keras.utils.set_random_seed(seed)
    model = factory.trial_model(config, len(dataset.x_train), int(config["batch_size"]))
    callbacks = make_callbacks(config)
    fitted = train(
        factory,
        config,
        model,
        dataset.x_train,
        dataset.y_train,
        epochs=int(config["epochs"]),
        validation_data=(dataset.x_val, dataset.y_val),
        callbacks=[*callbacks, *own],
    )
    values = [v for v in fitted.history.get(metric) or [fitted.score] if v is not None]
    handed = fitted.value(metric, callbacks)
    if not values or handed is None:
        raise InputError(f"objective: the model does not report {metric}")
    best = max(values) if direction == "max" else min(values)
    scores = model.evaluate(dataset.x_test, dataset.y_test, verbose=0, return_dict=True)
    test = scores.get(metric.removeprefix("val_"))
    return handed, float(best), None if test is None else float(test)
