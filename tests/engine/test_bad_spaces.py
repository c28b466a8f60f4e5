"""Bad search-space files: malformed, mistyped, out of range, unsafe YAML tags, not files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.space import Space
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.corpus import (
    CORPUS,
    MARKER,
    RUN,
    Case,
    check_case,
    fifo,
    link,
    mkdir,
    params,
    run_case,
    write,
)

WIDE = "architecture:\n  nodes: [" + "".join(f"{i}, " for i in range(1, 100_001))

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

# file in the corpus -> the node path (or words) its one-line error must name
SPACE_FILES: dict[str, str] = {
    "malformed.yaml": "malformed YAML at line 3",
    "malformed.json": "malformed JSON",
    "truncated.json": "malformed JSON",
    "wrong_type.yaml": "training.batch_size",
    "wrong_type_in_range.json": "architecture.nodes.min",
    "unknown_key.yaml": "optimizer.learnig_rate",
    "unknown_group.yaml": "optimiser",
    "min_greater_than_max.yaml": "optimizer.learning_rate",
    "log_min_zero.yaml": "regularization.kernel_strength.min",
    "step_zero.yaml": "architecture.nodes.step",
    "step_negative.json": "optimizer.learning_rate.step",
    "empty_choice.yaml": "architecture.nodes",
    "empty_choice_values.json": "optimizer.name",
    "duplicate_values.yaml": "training.batch_size[2]",
    "dropout_one.yaml": "regularization.dropout",
    "dropout_range_above_one.yaml": "regularization.dropout.max",
    "batch_size_zero.yaml": "training.batch_size[0]",
    "learning_rate_negative.yaml": "optimizer.learning_rate",
    "learning_rate_nan.yaml": "optimizer.learning_rate",
    "unknown_optimizer.yaml": "optimizer.name[1]",
    "unknown_activation.yaml": "architecture.activation[1]",
    "unknown_initializer.yaml": "architecture.initializer",
    "unknown_regularizer.yaml": "regularization.kernel_regularizer",
    "unknown_monitor.json": "early_stopping.monitor",
    "python_object_apply.yaml": "python/object",
    "python_object_new.yaml": "python/object",
    "binary_garbage.yaml": "not a UTF-8 text file",
    "nul_bytes.yaml": "YAML",
    "top_level_list.yaml": "mapping of groups",
    "group_not_mapping.yaml": "training",
    "range_missing_max.yaml": "needs 'max'",
    "choice_default_not_in_values.yaml": "optimizer.name.default",
    "bad_sampling.yaml": "optimizer.learning_rate.sampling",
    "boolean_as_text.yaml": "early_stopping.enabled",
    "deep_nesting.json": "nested",
    "deep_nesting.yaml": "nested",
    # YAML alias bombs, anywhere, refused before they expand (their expansion never printed)
    "alias_bomb.yaml": "alias bomb",
    "alias_bomb_in_choice.yaml": "alias bomb",
    "alias_bomb_in_params.yaml": "alias bomb",
    "alias_list_as_choice_value.yaml": "got list [1, 2, 3, 4, ...]",
    # a key given twice: refused, never the last one silently winning
    "duplicate_key.yaml": "key 'batch_size' given twice",
    "duplicate_group.yaml": "key 'training' given twice",
    "duplicate_key_in_range.yaml": "key 'min' given twice",
    "duplicate_key_in_params.yaml": "key 'units' given twice",
    "duplicate_key.json": "key 'batch_size' given twice",
    "duplicate_group.json": "key 'training' given twice",
    "duplicate_key_in_range.json": "key 'max' given twice",
}


def _space_case(name: str, words: str) -> Case:
    return Case(name, (*RUN, f"{{bad}}/{name}"), (name, words))


def _space_case(name: str, words: str) -> Case:
    return Case(name, (*RUN, f"{{bad}}/{name}"), (name, words))


CASES: list[Case] = [
    *(_space_case(name, words) for name, words in SPACE_FILES.items()),
    # ---- space files that are not there or not files
    Case("space_missing", (*RUN, "{tmp}/nowhere.yaml"), ("nowhere.yaml", "no such file")),
    Case(
        "space_is_a_directory",
        (*RUN, "{tmp}/folder.yaml"),
        ("folder.yaml", "cannot read"),
        mkdir("folder.yaml"),
    ),
    Case("validate_missing", ("validate", "{tmp}/nowhere.json"), ("nowhere.json", "no such file")),
    # ---- devices, FIFOs, links and sizes: never opened, never read to the end
    *(
        Case(f"space_{d}", (*RUN, f"/dev/{d}"), (f"/dev/{d}", "not a regular file"))
        for d in ("zero", "null", "urandom")
    ),
    Case("validate_dev_zero", ("validate", "/dev/zero"), ("/dev/zero", "not a regular file")),
    Case(
        "space_fifo",
        (*RUN, "{tmp}/fifo.yaml"),
        ("fifo.yaml", "not a regular file"),
        fifo("fifo.yaml"),
    ),
    Case(
        "validate_fifo",
        ("validate", "{tmp}/fifo.yaml"),
        ("fifo.yaml", "not a regular file"),
        fifo("fifo.yaml"),
    ),
    Case(
        "space_symlink_loop",
        (*RUN, "{tmp}/loop.yaml"),
        ("loop.yaml", "symlink loop"),
        link("loop.yaml", "loop.yaml"),
    ),
    Case(
        "space_link_to_a_folder",
        (*RUN, "{tmp}/dir.yaml"),
        ("dir.yaml", "cannot read"),
        lambda tmp: (mkdir("folder")(tmp), link("dir.yaml", "folder")(tmp)),
    ),
    Case(
        "space_too_large",
        (*RUN, "{tmp}/big.yaml"),
        ("big.yaml", "too large"),
        write("big.yaml", "# " + "x" * (11 * 2**20) + "\n"),
    ),
    Case(
        "choice_of_100000_with_a_duplicate",
        (*RUN, "{tmp}/wide.yaml"),
        ("wide.yaml", "architecture.nodes[100000]", "duplicate value 7"),
        write("wide.yaml", WIDE + "7]\n"),
    ),
    # ---- file names with control characters: printed escaped, on one line
    Case("name_with_a_newline", (*RUN, "{tmp}/a\nb.yaml"), ("a\\nb.yaml", "no such file")),
    Case(
        "name_with_an_escape",
        ("validate", "{tmp}/\x1b[31mred.yaml"),
        ("\\x1b[31mred.yaml", "no such file"),
    ),
    Case(
        "malformed_name_with_a_newline",
        ("validate", "{tmp}/bad\n.json"),
        ("bad\\n.json", "malformed JSON"),
        write("bad\n.json", "{"),
    ),
    # ---- models no machine can hold: one line, also for `summary`
    Case(
        "summary_of_a_model_too_large",
        ("summary", "{bad}/huge_model.yaml"),
        ("huge_model.yaml", "does not fit in this machine's memory"),
    ),
    # ---- a model's Python file where the space belongs: how a space names it instead
    *(
        Case(
            f"python_file_given_to_{command[0]}{'_with_its_function' if function else ''}",
            (*command, f"{{tmp}}/net.py{function}"),
            (
                f"{{tmp}}/net.py{function} is Python code, not a space file",
                f"(model: {{tmp}}/net.py{function or ':FUNCTION'})",
                f"`tunedeck space --from {{tmp}}/net.py{function or ':FUNCTION'} > space.yaml`",
            ),
            write("net.py", "def build_model(hp):\n    return None\n"),
        )
        for command in (RUN, ("validate",), ("summary",), ("open",))
        for function in ("", ":build_model")
    ),
    Case(
        "a_tutorial_s_grid_script_given_to_run",
        (*RUN, "{tmp}/grid.py"),
        (
            "grid.py is Python code, not a space file: its param_grid is a space",
            "(params: {tmp}/grid.py:param_grid)",
            "`tunedeck space --from {tmp}/grid.py:param_grid > space.yaml`",
        ),
        write(
            "grid.py",
            "def create_model(neurons=8):\n    return None\n\n"
            "param_grid = dict(batch_size=[10, 20], epochs=[10, 50])\n",
        ),
    ),
    Case(
        "python_file_opened_in_the_console",
        ("{tmp}/net.py:build_model",),  # `tunedeck FILE`: the console's open
        ("net.py:build_model is Python code", "tunedeck space --from"),
        write("net.py", "def build_model(hp):\n    return None\n"),
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_spaces_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)


@pytest.mark.parametrize("case", params([c for c in CASES if c.id in SPACE_FILES]))
def test_validate_reports_the_same_bad_space(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_case(
        Case(case.id, ("validate", case.argv[-1]), case.needles),
        tmp_path,
        lambda argv: tunedeck(capsys, *argv),
    )


def test_an_empty_space_file_is_valid_every_parameter_fixed_at_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = tunedeck(capsys, "validate", str(CORPUS / "empty.yaml"))
    assert (code, err) == (0, "")
    assert "0 tuned" in out and "grid of 1 configuration" in out
    assert Space.load(CORPUS / "empty.yaml") == Space.from_dict({})


def test_python_tags_are_refused_without_running_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("python_object_apply.yaml", "python_object_new.yaml"):
        assert MARKER in (CORPUS / name).read_text()  # the file really tries to run a command
        code, _, err = tunedeck(capsys, "validate", str(CORPUS / name))
        assert code == 2 and "python/object" in err
    time.sleep(0.05)  # a spawned process would have touched the marker by now
    assert not (tmp_path / MARKER).exists()
