"""Bad flags and settings: unknown names, impossible combinations, numbers out of range."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from engine.run.rundir import SETTINGS
from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import EXPORT, RUN, Case, finished, finished_then, params, run_case, write

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

SKLEARN = (
    "run",
    "--backend",
    "sklearn",
    "--max-trials",
    "1",
    "--epochs",
    "1",
    "--run-dir",
    "{tmp}/run",
)
KERAS_TUNER = (
    "run",
    "--backend",
    "keras-tuner",
    "--max-trials",
    "1",
    "--epochs",
    "1",
    "--run-dir",
    "{tmp}/run",
)
_TAKEN = socket.create_server(("127.0.0.1", 0))  # a port something listens on, all session long
TAKEN_PORT = _TAKEN.getsockname()[1]
CONTINUOUS = "optimizer:\n  learning_rate: {min: 0.0001, max: 0.1, sampling: log}\n"

CASES: list[Case] = [
    # ---- flags and settings
    Case("unknown_backend", (*RUN, "--backend", "tensorflow"), ("--backend", "'tensorflow'")),
    Case("unknown_algorithm", (*RUN, "--algorithm", "annealing"), ("--algorithm", "'annealing'")),
    Case("unknown_format", (*EXPORT, "xml"), ("--format", "'xml'"), finished()),
    Case(
        "algorithm_not_on_backend",
        (*RUN, "--backend", "sklearn", "--algorithm", "bayesian"),
        ("algorithm", "bayesian", "sklearn"),
    ),
    Case("fake_has_no_hyperband", (*RUN, "--algorithm", "hyperband"), ("algorithm", "hyperband")),
    Case(
        "grid_on_continuous_space",
        (*RUN, "--algorithm", "grid", "{tmp}/continuous.yaml"),
        ("optimizer.learning_rate", "continuous"),
        write("continuous.yaml", CONTINUOUS),
    ),
    Case("max_trials_zero", (*RUN, "--max-trials", "0"), ("--max-trials", "0")),
    Case("max_trials_negative", (*RUN, "--max-trials", "-4"), ("--max-trials", "-4")),
    Case("max_trials_text", (*RUN, "--max-trials", "ten"), ("--max-trials", "'ten'")),
    Case("cv_one", (*RUN, "--cv", "1"), ("cv", ">= 2")),
    Case("seed_text", (*RUN, "--seed", "abc"), ("--seed", "'abc'")),
    Case("seed_float", (*RUN, "--seed", "1.5"), ("--seed", "'1.5'")),
    Case("epochs_zero", (*RUN, "--epochs", "0"), ("--epochs",)),
    Case("subsample_zero", (*RUN, "--subsample", "0"), ("--subsample",)),
    Case("subsample_negative", (*RUN, "--subsample", "-3"), ("--subsample", "-3")),
    Case("epochs_text", (*RUN, "--epochs", "many"), ("--epochs", "'many'")),
    Case("cv_text", (*RUN, "--cv", "five"), ("--cv", "'five'")),
    # ---- seeds the backends cannot take, checked before anything starts
    Case("seed_negative", (*RUN, "--seed", "-1"), ("seed", "between 0 and 4294967295", "-1")),
    Case("seed_2_to_the_32", (*RUN, "--seed", str(2**32)), ("seed", str(2**32))),
    Case("seed_huge", (*RUN, "--seed", "9" * 40), ("seed", "between 0 and")),
    Case("seed_negative_on_sklearn", (*SKLEARN, "--seed", "-7"), ("seed", "-7")),
    # ---- job and worker counts
    Case("n_jobs_zero", (*RUN, "--n-jobs", "0"), ("n_jobs", "got 0")),
    Case("n_jobs_below_minus_one", (*RUN, "--n-jobs", "-2"), ("n_jobs", "-2")),
    Case("n_jobs_text", (*RUN, "--n-jobs", "all"), ("--n-jobs", "'all'")),
    Case("workers_zero", (*RUN, "--workers", "0"), ("--workers", "0")),
    Case("workers_negative", (*RUN, "--workers", "-2"), ("--workers", "-2")),
    Case("chief_without_port", (*RUN, "--chief", "localhost"), ("chief", "HOST:PORT")),
    Case("chief_port_out_of_range", (*RUN, "--chief", "127.0.0.1:70000"), ("chief", "70000")),
    Case(
        "worker_chief_without_port",
        ("worker", "{tmp}/run", "--chief", "nohost"),
        ("chief", "HOST:PORT"),
        finished(),
    ),
    # ---- a chief that cannot listen there: the address and the reason, before anything starts
    Case(
        "chief_address_of_another_machine",
        (*KERAS_TUNER, "--chief", "203.0.113.7:5000"),
        ("chief: cannot listen on 203.0.113.7:5000", "not an address of this machine"),
    ),
    Case(
        "chief_name_that_does_not_resolve",
        (*KERAS_TUNER, "--chief", "nosuchhost.invalid:5000"),
        ("nosuchhost.invalid:5000", "'nosuchhost.invalid' does not resolve"),
    ),
    Case(
        "chief_port_taken",
        (*KERAS_TUNER, "--chief", f"127.0.0.1:{TAKEN_PORT}"),
        (f"127.0.0.1:{TAKEN_PORT}", "the port is taken"),
    ),
    Case(
        "chief_command_on_another_machine_s_address",
        ("chief", "{tmp}/run", "--listen", "203.0.113.7:5000"),
        ("chief: cannot listen on 203.0.113.7:5000", "not an address of this machine"),
        finished(),
    ),
    # ---- folds checked against the data before anything starts
    Case(
        "cv_beyond_the_smallest_class",
        (*SKLEARN, "--cv", "100", "--subsample", "300"),
        ("--cv", "100 folds", "smallest class has"),
    ),
    Case(
        "cv_beyond_a_tiny_csv",
        (*SKLEARN, "--cv", "20", "--dataset", "{bad}/tiny_classes.csv"),
        ("tiny_classes.csv", "--cv", "smallest class has"),
    ),
    # ---- counts past their upper bound: refused with the reason, before anything starts
    Case(
        "max_trials_beyond_the_bound",
        (*RUN, "--max-trials", "100000000000"),
        ("--max-trials", "at most 100,000", "trains a model"),
    ),
    Case("epochs_beyond_the_bound", (*RUN, "--epochs", "10" * 9), ("--epochs", "early stopping")),
    Case("cv_beyond_the_bound", (*SKLEARN, "--cv", "1000"), ("--cv", "at most 100", "every fold")),
    Case(
        "executions_beyond_the_bound", (*RUN, "--executions", "5000"), ("--executions", "at most")
    ),
    Case("workers_beyond_the_bound", (*RUN, "--workers", "100000"), ("--workers", "700 MB")),
    Case("n_jobs_beyond_the_bound", (*RUN, "--n-jobs", "100000"), ("--n-jobs", "a process")),
    Case(
        "rerun_seeds_beyond_the_bound",
        ("rerun", "{tmp}/run", "--seeds", "100000000000"),
        ("--seeds", "at most 1,000", "each seed trains"),
        finished(),
    ),
    Case(
        "rerun_top_beyond_the_bound",
        ("rerun", "{tmp}/run", "--top", "99999999"),
        ("--top", "at most 1,000"),
        finished(),
    ),
    Case(
        "rerun_seeds_past_the_largest_seed",
        ("rerun", "{tmp}/run", "--seeds", "3"),
        ("--seeds", "search's seed 4294967294", "largest seed"),
        finished_then(SETTINGS, f"backend: fake\nalgorithm: grid\nseed: {2**32 - 2}\n"),
    ),
    Case(
        "settings_max_trials_beyond_the_bound",
        ("resume", "{tmp}/run"),
        (SETTINGS, "max_trials: at most 100,000"),
        finished_then(SETTINGS, "backend: fake\nmax_trials: 10000000000\n"),
    ),
    Case(
        "settings_workers_beyond_the_bound",
        ("resume", "{tmp}/run"),
        (SETTINGS, "workers: at most"),
        finished_then(SETTINGS, "backend: fake\nworkers: 999999\n"),
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_flags_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)


def test_grpc_s_own_line_goes_to_the_log_not_the_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """gRPC's C core writes to file descriptor 2 when a bind fails (`add_port.cc … Failed to add
    port`); around the oracle's bind that descriptor is the run's log."""
    from concurrent import futures

    import grpc

    from engine.backends.keras_tuner.listen import stderr_into

    log = tmp_path / "chief.log"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    with stderr_into(log), pytest.raises(RuntimeError):  # grpc >= 1.60 raises; 0 before
        if not server.add_insecure_port("203.0.113.7:5000"):
            raise RuntimeError("not bound")
    server.stop(None)
    out, err = capfd.readouterr()
    assert err == "" and "Failed to add port" in log.read_text()
