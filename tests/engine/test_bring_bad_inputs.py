"""The bad-input corpus of work brought from elsewhere (`tests/bad_inputs/bring/`): a build
function that raises while declaring its space, declares a name twice or declares nothing; a
sweep or NNI space with a distribution tunedeck has no equivalent of, an unknown one, or
malformed values. Each is one line naming the parameter, exit code 2, nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.corpus import CORPUS, Case, check_case

pytestmark = pytest.mark.usefixtures("isolated_cli")

BRING = CORPUS / "bring"
RUN = (
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
# file or FILE.py:FUNCTION -> words its one-line error must hold
SOURCES: dict[str, tuple[str, ...]] = {
    "kt.py:raises": (
        "kt.py:raises raised while declaring its space",
        "RuntimeError: set CUDA_VISIBLE_DEVICES first",
        "traceback in",
    ),
    "kt.py:twice": ("kt.py:twice declares 'units' twice with different types (Int and Choice)",),
    "kt.py:nothing": ("kt.py:nothing declares no hyperparameters", "reads units as a mapping"),
    "kt.py:reverse_log": ("params.decay: reverse_log sampling has no equivalent",),
    "sweep_unknown_distribution.yaml": (
        "parameters.lr.distribution: unknown distribution 'loguniform'",
    ),
    "sweep_normal.yaml": (
        "parameters.weight_decay: the normal distribution has no tunedeck equivalent",
    ),
    "sweep_malformed.yaml": ("parameters.dropout.min: expected a number, got 'low'",),
    "sweep_nested.yaml": ("parameters.optimizer: nested parameters have no tunedeck equivalent",),
    "sweep_probabilities.yaml": ("parameters.activation: weighted values",),
    "sweep_unknown_optimizer.yaml": ("parameters.optimizer", "unknown optimizer 'adamx'"),
    "nni_unknown_type.json": ("lr._type: unknown type 'logarithmic'",),
    "nni_qloguniform.json": ("hidden: the qloguniform distribution has no tunedeck equivalent",),
    "nni_malformed.json": ("layers._value: randint takes 2 numbers, got [1]",),
    "nni_nested_choice.json": ("model: nested choices (_name) have no tunedeck equivalent",),
}
SPACES = {  # a space naming such a function, run: the same line before any run directory
    "model_raises.yaml": ("kt.py:raises raised while declaring its space", "RuntimeError"),
    "model_twice.yaml": ("declares 'units' twice with different types",),
}


def _source(name: str) -> str:
    return f"{{bad}}/bring/{name}"


@pytest.mark.parametrize(("source", "words"), SOURCES.items(), ids=list(SOURCES))
def test_space_from_bad_work_is_one_line_exit_2(source, words, tmp_path, capsys) -> None:
    case = Case(f"bring_{source}", ("space", "--from", _source(source)), words)
    check_case(case, tmp_path, lambda argv: tunedeck(capsys, *argv))


@pytest.mark.parametrize(
    ("name", "words"),
    [*SPACES.items(), *((n, w) for n, w in SOURCES.items() if not n.startswith("kt.py"))],
    ids=[*SPACES, *(n for n in SOURCES if not n.startswith("kt.py"))],
)
def test_running_bad_work_stops_before_a_run_directory(name, words, tmp_path, capsys) -> None:
    check_case(
        Case(f"run_{name}", (*RUN, _source(name)), words),
        tmp_path,
        lambda argv: tunedeck(capsys, *argv),
    )
    assert not (tmp_path / "run").exists()


def test_the_traceback_of_a_raising_build_function_is_in_the_log(tmp_path, capsys) -> None:
    code, out, err = tunedeck(capsys, "space", "--from", str(BRING / "kt.py") + ":raises")
    assert code == 2 and out == ""
    log = Path(re.search(r"traceback in (\S+)\)", err).group(1))  # type: ignore[union-attr]
    text = log.read_text()
    log.unlink()
    assert text.startswith("Traceback (most recent call last):")
    assert 'kt.py", line' in text and "RuntimeError: set CUDA_VISIBLE_DEVICES first" in text


def test_every_bring_corpus_file_is_used() -> None:
    used = {n.partition(":")[0] for n in SOURCES} | set(SPACES)
    assert {p.name for p in BRING.iterdir()} == used
