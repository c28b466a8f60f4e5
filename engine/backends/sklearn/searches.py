"""scikit-learn's searches, each run as tunedeck's rounds: the tracker is shown every candidate
list before scikit-learn evaluates it, and queued and continued rounds run beside the search's
own (`BaseSearchCV._run_search`, a private hook: tests/test_private_api.py checks it)."""

from __future__ import annotations

from inspect import signature
from typing import Any

from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV

from engine.backends.sklearn.grid import routed
from engine.backends.sklearn.rounds import Round, read_rounds, take_queue
from engine.run.states import RunState


class _Rounds:
    """Mixin: shows the tracker each candidate list before scikit-learn evaluates it."""

    tracker: Any  # the search's tracker (search._Tracker): candidate lists, rounds, queue

    def _run_search(self, evaluate_candidates: Any, *, callback_ctx: Any = None) -> Any:
        tracker = self.tracker
        extra: list[Round | None] = [None]  # the continuing round being evaluated, if any

        def tracked(candidate_params: Any, cv: Any = None, more_results: Any = None, **kw: Any):
            candidates = [dict(c) for c in candidate_params]
            tracker.begin_round(candidates, more_results, extra[0])
            results = evaluate_candidates(candidates, cv, more_results, **kw)
            if not tracker.live:
                tracker.report_round()
            return results

        def run_round(chosen: Round) -> None:
            extra[0] = chosen
            tracked([{routed(k): v for k, v in c.items()} for c in chosen.configs])
            extra[0] = None

        state, done = tracker.ctx.run.state_dir, tracker.ctx.previous.state == RunState.FINISHED
        while take_queue(tracker.ctx, done) is not None:
            pass  # written down first: a kill leaves them for the next resume
        rounds = read_rounds(state)
        for chosen in (r for r in rounds if r.enqueued):  # queued: first in line
            run_round(chosen)
        if not any(r.base_done for r in rounds):
            parent = super()._run_search  # type: ignore[misc]
            if "callback_ctx" in signature(parent).parameters:  # scikit-learn >= 1.9
                parent(tracked, callback_ctx=callback_ctx)
            else:
                parent(tracked)
        for chosen in (r for r in rounds if not r.enqueued):
            run_round(chosen)
        while (taken := take_queue(tracker.ctx, True)) is not None:  # queued while it ran
            run_round(taken)


SEARCHES = {
    name: type(f"Tracked{cls.__name__}", (_Rounds, cls), {})
    for name, cls in (
        ("grid", GridSearchCV),
        ("random", RandomizedSearchCV),
        ("halving", HalvingGridSearchCV),
    )
}
