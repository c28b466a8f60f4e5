"""Upper bounds of the counts a user types (trials, epochs, folds, workers, seeds…), each with
the reason a larger one is refused: an absurd count is one line before anything starts, never
a search that would run for centuries. The flags (`engine.cli`), the settings (a hand-edited
settings.yaml, the console's prompts) and `rerun` all check against this one table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    most: int
    why: str

    def problem(self, value: int) -> str | None:
        """None within the bound, else the refusal's text (without the field's name)."""
        if value <= self.most:
            return None
        return f"at most {self.most:,} ({self.why}), got {value:,}"


LIMITS: dict[str, Limit] = {
    "max_trials": Limit(
        100_000,
        "each trial builds and trains a model: even at a second each, "
        "100,000 take more than a day; split a larger search into runs",
    ),
    "epochs": Limit(
        100_000,
        "every trial would train that long; early stopping ends a fit once it stops improving",
    ),
    "cv": Limit(100, "every fold trains each candidate once more"),
    "executions": Limit(100, "every execution trains each trial once more"),
    "workers": Limit(1_024, "each worker is a TensorFlow process of about 700 MB"),
    "n_jobs": Limit(1_024, "each job is a process holding its own copy of the data"),
    "seeds": Limit(
        1_000,
        "each seed trains every configuration once more; 30 already pin the noise to a few percent",
    ),
    "top": Limit(1_000, "each configuration trains once per seed"),
}


def limit_problem(name: str, value: int) -> str | None:
    """The refusal for `value` as the count `name` (a key of LIMITS), or None."""
    return LIMITS[name].problem(value)
