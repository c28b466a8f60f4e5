"""The journal is the record of truth: append, tail, torn lines, merged workers, replay."""

from __future__ import annotations

import json

from engine.run import events as ev
from engine.run.journal import JournalWriter, Tail, read_journal, read_run
from engine.run.results import replay


def trial(tid: str, number: int, score: float | None, status: str = "completed", t: float = 0):
    return [
        ev.TrialStarted(
            trial_id=tid, number=number, hyperparameters={"nodes": number}, epochs=2, time=t
        ),
        ev.EpochEnded(
            trial_id=tid, epoch=1, logs={"loss": 1.0, "val_accuracy": 0.5}, epochs=2, time=t + 0.1
        ),
        ev.TrialEnded(
            trial_id=tid,
            status=status,
            score=score,
            duration=1.0,
            time=t + 0.2,
            reason=None if status == "completed" else "boom",
        ),
    ]


def start(t: float = 0.0, resumed: bool = False) -> ev.SearchStarted:
    return ev.SearchStarted(
        space={}, backend="fake", algorithm="grid", planned_trials=3, time=t, resumed=resumed
    )


def test_every_event_round_trips_through_json() -> None:
    for event in [
        start(),
        *trial("0", 1, 0.5),
        ev.SearchFinished(best_trial_id="0", best_score=0.5),
        ev.SearchFailed(reason="x"),
        ev.SearchStopped(),
        ev.LogMessage(level="warning", message="m"),
    ]:
        data = json.loads(event.to_json())
        assert data["type"] == event.type and "time" in data
        assert ev.from_dict(data) == event


def test_nan_logs_are_written_as_null() -> None:
    logs = ev.clean_logs({"loss": float("nan"), "accuracy": 0.5, "name": "x"})
    assert logs == {"loss": None, "accuracy": 0.5}
    assert "NaN" not in ev.EpochEnded(trial_id="0", epoch=1, logs=logs).to_json()


def test_a_torn_last_line_is_skipped_and_sealed_by_the_next_writer(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    writer = JournalWriter(path)
    for event in [start(), *trial("0", 1, 0.5)]:
        writer(event)
    writer.close()
    with open(path, "a") as handle:
        handle.write('{"type": "trial_started", "trial_id": "1", "numb')  # killed mid-write
    assert len(read_journal(path)) == 4
    writer = JournalWriter(path)
    writer(ev.SearchStopped(reason="stop requested"))
    writer.close()
    events = read_journal(path)
    assert len(events) == 5 and isinstance(events[-1], ev.SearchStopped)


def test_unknown_event_types_and_garbage_are_ignored(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"type": "from_the_future", "x": 1}\n[1, 2]\nnot json\n' + start().to_json() + "\n"
    )
    assert [e.type for e in read_journal(path)] == ["search_started"]


def test_tail_returns_only_new_complete_lines(tmp_path) -> None:
    tail = Tail(tmp_path)
    assert tail.poll() == []
    path = tmp_path / "events.jsonl"
    line = start().to_json() + "\n"
    path.write_text(line[:10])
    assert tail.poll() == []
    path.write_text(line)
    assert [e.type for e in tail.poll()] == ["search_started"]
    assert tail.poll() == []
    with open(path, "a") as handle:
        handle.write("".join(e.to_json() + "\n" for e in trial("0", 1, 0.5)))
    assert [e.type for e in tail.poll()] == ["trial_started", "epoch_ended", "trial_ended"]


def test_worker_journals_merge_in_time_order(tmp_path) -> None:
    main = JournalWriter(tmp_path / "events.jsonl")
    worker = JournalWriter(tmp_path / "events-tuner1.jsonl")
    main(start(0.0))
    for event in trial("a", 1, 0.4, t=1.0):
        main(event)
    for event in trial("b", 2, 0.6, t=1.05):
        worker(event)
    main.close()
    worker.close()
    merged = read_run(tmp_path)
    assert [e.time for e in merged] == sorted(e.time for e in merged)
    results = replay(merged)
    assert set(results.trials) == {"a", "b"} and results.best_trial_id == "b"


def test_replay_builds_leaderboard_and_handles_a_resumed_trial() -> None:
    events = [
        start(0),
        *trial("0", 1, 0.5, t=1),
        *trial("1", 2, 0.9, t=2),
        *trial("2", 3, None, status="failed", t=3),
    ]
    events.append(ev.TrialStarted(trial_id="3", number=4, hyperparameters={}, time=4))
    events.append(ev.EpochEnded(trial_id="3", epoch=1, logs={"loss": 2.0}, time=4.1))
    # killed here; the resumed search runs trial 3 again from the start
    events.append(start(5, resumed=True))
    events.extend(trial("3", 4, 0.7, t=6))
    results = replay(events)
    assert results.state == "running"
    assert [t.trial_id for t in results.leaderboard()] == ["1", "3", "0", "2"]
    assert len(results.trials["3"].curve) == 1
    assert results.done == 4 and results.best_trial_id == "1"
    results.apply(ev.SearchFinished(best_trial_id="1", best_score=0.9, test_score=0.88))
    assert results.state == "finished" and results.test_score == 0.88
