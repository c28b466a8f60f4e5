"""The console's one door into the engine: what `tui/` may use, and nothing heavy.

Importing this loads no numpy, TensorFlow, scikit-learn or backend (tests/test_import_hygiene.py
checks both that and that `tui/` imports the engine only through here, or `engine.cli` for the
entry point). Everything heavy runs in `python -m engine` children started from
`engine_command`: searches, model summaries, exports.

Events flow up through the journal (`events`, `Tail`, `RunResults`); requests flow down through
the run directory (`RunDir.request_stop`, `RunDir.request_skip`) and the engine command line
(`resume_args`, `Priority`).

The views of runs already made (the analysis, the runs listing, journals and kept summaries)
are imported at the first use of any of them (`__getattr__`, PEP 562), not with this module:
the editor's first paint waits for none of them.
"""

from typing import TYPE_CHECKING, Any

from engine.data.catalog import (
    BUILTIN,
    DEFAULT,
    TableProfile,
    check_dataset,
    dataset_spec,
    describe_spec,
    describe_table,
    profile_csv,
    target_spec,
)
from engine.errors import InputError, SpaceError
from engine.export.fmt import fmt_duration, fmt_score
from engine.objective.metric import TASKS, Objective
from engine.plan.planner import Plan, max_epochs, plan
from engine.prepare import new_run_dir, prepare, write_request
from engine.run import events
from engine.run.control import (
    RUNNER_LOG,
    Output,
    Priority,
    command_hint,
    engine_command,
    rerun_args,
    resume_args,
    standby_command,
    start_args,
)
from engine.run.estimate import Estimate, Timing, about, candidates, estimate_for, estimate_text
from engine.run.events import Event
from engine.run.resources import fmt_bytes, killed_reason, oom_kills
from engine.run.rundir import RunDir, StopMode
from engine.run.settings import (
    ALGORITHMS,
    AUTO_WORKERS,
    BACKENDS,
    SUPPORTED,
    RunSettings,
    parse_workers,
    workers_text,
)
from engine.run.standby_protocol import READY, Request, read_answer
from engine.run.states import RunState, TrialStatus, run_state
from engine.space import Config, Space, default_space
from engine.space.hyperparameters import (
    Boolean,
    Choice,
    Fixed,
    Float,
    Hyperparameter,
    Int,
    describe,
)
from engine.space.reading import parse_text, read_text
from engine.space.schema import BY_NAME, GROUPS, PARAMS
from engine.space.search_space import CONSOLE_KEYS
from engine.space.unused import unused_settings
from engine.system.places import keymap_file, new_log

if TYPE_CHECKING:
    from engine.analysis.child import importance_of
    from engine.analysis.compare import RunComparison, TrialPair, compare_runs, compare_trials
    from engine.analysis.curves import Curve, curves, metrics, top_trials
    from engine.analysis.failures import Failure, failed_trials, failure
    from engine.analysis.importance import Importance
    from engine.analysis.pareto import FrontPoint, ParetoView, pareto_view
    from engine.analysis.playbook import Caution, playbook
    from engine.analysis.progress import BestPoint, best_so_far
    from engine.analysis.runs import neighbours, run_task, tuned_names
    from engine.analysis.seeds import SEEDS, read_seeds, seed_lines, seed_report
    from engine.analysis.slices import Slice, slices
    from engine.analysis.thin import cloud as thin_points
    from engine.analysis.thin import progress as thin_progress
    from engine.data.recipe import describe as recipe_lines
    from engine.data.recipe import read_recipe
    from engine.export.formats import FORMATS, PICKABLE, SUFFIX, WHAT, WHAT_PICKED
    from engine.export.listing import RunRow, remove_run, run_rows
    from engine.export.report import objective_label
    from engine.run.journal import Tail, read_run
    from engine.run.kept import load_results, read_results
    from engine.run.results import RunResults, TrialRecord, notices, replay


def __getattr__(name: str) -> Any:
    """A deferred name: all of them are imported at the first use of any."""
    if name not in DEFERRED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = _deferred()
    globals().update(loaded)
    return loaded[name]


def _deferred() -> dict[str, Any]:
    from engine.analysis import (
        child,
        compare,
        curves,
        failures,
        importance,
        pareto,
        playbook,
        progress,
        runs,
        seeds,
        slices,
        thin,
    )
    from engine.data import recipe
    from engine.export import formats, listing, report
    from engine.run import journal, kept, results

    names = {
        child: "importance_of",
        compare: "RunComparison TrialPair compare_runs compare_trials",
        curves: "Curve curves metrics top_trials",
        failures: "Failure failed_trials failure",
        importance: "Importance",
        pareto: "FrontPoint ParetoView pareto_view",
        playbook: "Caution playbook",
        progress: "BestPoint best_so_far",
        runs: "neighbours run_task tuned_names",
        seeds: "SEEDS read_seeds seed_lines seed_report",
        slices: "Slice slices",
        recipe: "read_recipe",
        formats: "FORMATS PICKABLE SUFFIX WHAT WHAT_PICKED",
        listing: "RunRow remove_run run_rows",
        journal: "Tail read_run",
        kept: "load_results read_results",
        results: "RunResults TrialRecord notices replay",
        report: "objective_label",
    }
    found = {
        name: getattr(module, name) for module, words in names.items() for name in words.split()
    }
    renamed = {"thin_points": thin.cloud, "thin_progress": thin.progress}
    return found | renamed | {"recipe_lines": recipe.describe}


DEFERRED = frozenset(
    {
        "importance_of",
        "RunComparison",
        "TrialPair",
        "compare_runs",
        "compare_trials",
        "Curve",
        "curves",
        "metrics",
        "top_trials",
        "Failure",
        "failed_trials",
        "failure",
        "Importance",
        "FrontPoint",
        "ParetoView",
        "pareto_view",
        "Caution",
        "playbook",
        "BestPoint",
        "best_so_far",
        "neighbours",
        "run_task",
        "tuned_names",
        "SEEDS",
        "read_seeds",
        "seed_lines",
        "seed_report",
        "Slice",
        "slices",
        "thin_points",
        "thin_progress",
        "recipe_lines",
        "read_recipe",
        "FORMATS",
        "SUFFIX",
        "WHAT",
        "PICKABLE",
        "WHAT_PICKED",
        "RunRow",
        "remove_run",
        "run_rows",
        "Tail",
        "read_run",
        "load_results",
        "read_results",
        "RunResults",
        "TrialRecord",
        "notices",
        "replay",
        "objective_label",
    }
)

__all__ = [
    "unused_settings",
    "CONSOLE_KEYS",
    "READY",
    "Request",
    "read_answer",
    "new_log",
    "keymap_file",
    "parse_text",
    "read_text",
    "ALGORITHMS",
    "BACKENDS",
    "RUNNER_LOG",
    "standby_command",
    "SEEDS",
    "recipe_lines",
    "read_recipe",
    "read_seeds",
    "seed_lines",
    "seed_report",
    "rerun_args",
    "RunRow",
    "remove_run",
    "run_rows",
    "describe_table",
    "profile_csv",
    "TableProfile",
    "start_args",
    "write_request",
    "BUILTIN",
    "BY_NAME",
    "DEFAULT",
    "FORMATS",
    "GROUPS",
    "PARAMS",
    "SUFFIX",
    "SUPPORTED",
    "TASKS",
    "Objective",
    "WHAT",
    "PICKABLE",
    "WHAT_PICKED",
    "Boolean",
    "Choice",
    "command_hint",
    "Config",
    "Event",
    "Fixed",
    "Float",
    "Hyperparameter",
    "InputError",
    "Int",
    "Output",
    "Plan",
    "Priority",
    "RunDir",
    "RunResults",
    "RunSettings",
    "AUTO_WORKERS",
    "parse_workers",
    "workers_text",
    "RunState",
    "Space",
    "SpaceError",
    "StopMode",
    "Tail",
    "TrialRecord",
    "TrialStatus",
    "check_dataset",
    "dataset_spec",
    "target_spec",
    "default_space",
    "Estimate",
    "Timing",
    "about",
    "candidates",
    "estimate_for",
    "estimate_text",
    "describe",
    "describe_spec",
    "engine_command",
    "events",
    "fmt_duration",
    "fmt_score",
    "load_results",
    "objective_label",
    "max_epochs",
    "new_run_dir",
    "plan",
    "prepare",
    "read_run",
    "replay",
    "resume_args",
    "run_state",
    "fmt_bytes",
    "killed_reason",
    "oom_kills",
    "notices",
    "read_results",
    # the analysis views (importance_of runs in an engine child: it needs Optuna or numpy)
    "BestPoint",
    "Curve",
    "Failure",
    "Importance",
    "Slice",
    "TrialPair",
    "best_so_far",
    "compare_trials",
    "curves",
    "failed_trials",
    "failure",
    "importance_of",
    "metrics",
    "slices",
    "top_trials",
    "tuned_names",
    "RunComparison",
    "compare_runs",
    "neighbours",
    "run_task",
    "thin_points",
    "thin_progress",
    "FrontPoint",
    "ParetoView",
    "pareto_view",
    "Caution",
    "playbook",
]
