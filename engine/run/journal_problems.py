"""Why a run's journal shows less than it should, named with the file: a journal that is not a
regular file, or lines skipped as malformed (the reader skips them like a torn line). Said
where a command would otherwise report "no trials recorded yet", so that the user repairs the
journal rather than wonder where the trials went. Read only on those paths: it parses every
line again."""

from __future__ import annotations

from pathlib import Path

from engine.errors import RunDirError, not_regular
from engine.run.journal import parse_lines


def journal_problem(run_dir: str | Path) -> tuple[Path, str] | None:
    """(the journal, what is wrong with it) for the first journal of `run_dir` that is not a
    regular file or holds lines that are not events; None when every line is an event."""
    for path in sorted(Path(run_dir).glob("events*.jsonl")):
        if why := not_regular(path):
            return path, why
        try:
            lines = path.read_bytes().split(b"\n")
        except OSError as exc:
            return path, f"cannot read ({exc.strerror})"
        bad = [n for n, raw in enumerate(lines, 1) if raw.strip() and not any(parse_lines(raw))]
        if bad:
            count = f"{len(bad)} line{'s' * (len(bad) != 1)} skipped as malformed"
            return path, f"{count}, first at line {bad[0]}"
    return None


def nothing_recorded(run_dir: str | Path, message: str) -> RunDirError:
    """The error for a run that shows no trials (`message`, naming the run), or, when its
    journal is why, one that names the journal and what is wrong with it."""
    found = journal_problem(run_dir)
    if found is None:
        return RunDirError(message, source=str(run_dir))
    path, why = found
    return RunDirError(f"{why}; so {message}", source=str(path))
