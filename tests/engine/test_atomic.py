"""The one atomic writer: whole files or nothing, for text, copies and Keras' own saves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.system.atomic import copy_file, replacing, write_text
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "best.yaml"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["best.yaml"]


def test_the_temporary_keeps_the_suffix_and_the_file_the_default_mode(tmp_path: Path) -> None:
    """Keras saves only to a `.keras` name; the result is a file like any `open` makes."""
    target = tmp_path / "best_model.keras"
    with replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".keras" and tmp.name.startswith(".")
        tmp.write_bytes(b"model")
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert target.stat().st_mode == plain.stat().st_mode
    copy_file(target, tmp_path / "copy.keras")
    assert (tmp_path / "copy.keras").read_bytes() == b"model"


def test_temporary_names_are_fresh_and_unpredictable(tmp_path: Path) -> None:
    names = set()
    for _ in range(50):
        with replacing(tmp_path / "best.yaml") as tmp:
            names.add(tmp.name)
    assert len(names) == 50
    assert all(len(name) >= len(".best.yaml.") + 16 for name in names)  # 64 random bits


@pytest.mark.usefixtures("isolated_cli")
def test_export_never_writes_through_a_planted_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Symlinks planted at every temporary name an exporter ever used point at a victim file:
    the export replaces only its own target, and the victim and the links stay as they were."""
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--max-trials", "2"))[0] == 0
    (run / "best_model.keras").write_bytes(b"model bytes")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for name in ("out.keras", "out.yaml"):
        for planted in (f".{name}.tmp", f"{name}.tmp", f".{name}.tmp.keras"):
            (tmp_path / planted).symlink_to(victim)
    for fmt, name in (("keras", "out.keras"), ("yaml", "out.yaml")):
        code, _, err = tunedeck(capsys, "export", str(run), "--format", fmt, "-o", name)
        assert code == 0, err
        assert not (tmp_path / name).is_symlink()
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "out.keras").read_bytes() == b"model bytes"
    assert sum(p.is_symlink() for p in tmp_path.iterdir()) == 6


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
@pytest.mark.usefixtures("isolated_cli")
def test_every_user_facing_file_follows_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: int
) -> None:
    old = os.umask(umask)
    try:
        run = tmp_path / "run"
        assert tunedeck(capsys, *fake_run(run, "--max-trials", "2"))[0] == 0
        (run / "best_model.keras").write_bytes(b"model")
        for fmt in ("keras", "yaml", "json", "csv", "python"):
            code, _, err = tunedeck(capsys, "export", str(run), "--format", fmt, "-o", f"x.{fmt}")
            assert code == 0, err
        made = [run / n for n in ("space.yaml", "settings.yaml", "best.yaml", "events.jsonl")]
        made += [tmp_path / f"x.{fmt}" for fmt in ("keras", "yaml", "json", "csv", "python")]
    finally:
        os.umask(old)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in made}
    assert modes == {p.name: oct(0o666 & ~umask) for p in made}


def test_every_replace_syncs_the_folder_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the folder's fsync a power cut can bring back the old file after we said done."""
    import stat

    real_fsync, real_replace = os.fsync, os.replace
    log: list[str] = []

    def fsync(fd: int) -> None:
        log.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        log.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_text(tmp_path / "a.yaml", "a\n")
    assert log == ["file", "rename", "folder"]
    log.clear()
    copy_file(tmp_path / "a.yaml", tmp_path / "b.yaml")
    assert log == ["file", "rename", "folder"]
    log.clear()
    with replacing(tmp_path / "model.keras") as tmp:
        tmp.write_bytes(b"model")
    assert log[-2:] == ["rename", "folder"]
