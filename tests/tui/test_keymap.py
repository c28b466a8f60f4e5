"""The user's own keys: every binding has an id, a keymap file moves an action to another key
(the old key stops doing it, `?` shows the new one), and a bad keymap is one line, exit 2."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.face import InputError
from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.cli import main
from tui.keymap import bindings, read_keymap
from tui.screens.help import HelpScreen
from tui.screens.space import SpaceScreen

ROOT = Path(__file__).resolve().parents[2]


def test_every_binding_has_one_id_of_its_own() -> None:
    calls = [
        node
        for path in (ROOT / "tui").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding"
    ]
    without = [c.lineno for c in calls if not any(k.arg == "id" for k in c.keywords)]
    assert calls and not without
    found = bindings()
    idents = [b.ident for b in found]
    assert len(idents) == len(set(idents))
    assert len(found) >= len(calls)  # the analysis tabs' bindings come from one loop
    assert {"space.save", "monitor.stop", "results.export", "app.quit"} <= set(idents)


@pytest.mark.asyncio
async def test_a_keymap_moves_save_to_ctrl_s_and_help_shows_it(workdir: Path) -> None:
    Path("mine.yaml").write_text("training:\n  epochs: 3\n  batch_size: [16, 32]\n")
    app = make_app(Space.load("mine.yaml"), space_path="mine.yaml", keymap={"space.save": "f2"})
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SpaceScreen)
        await pilot.press("slash", *"batch_size", "enter", "j", "space")  # 16 off
        await pilot.pause()
        await pilot.press("w")  # no longer save
        await pilot.pause()
        assert "16, 32" in Path("mine.yaml").read_text()
        assert "(modified)" in screen_text(app).splitlines()[0]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {description: keys for keys, description, _ in app.screen.rows}
        assert keys["Save"] == "f2" and keys["Save as…"] == "W"
        await pilot.press("escape", "f2")
        await pilot.pause()
        assert "disabled: [16]" in Path("mine.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("space.sav: ctrl+s\n", "space.sav: no such binding (did you mean space.save?)"),
        ("- space.save\n", "expected a mapping of binding ids to keys"),
        ("space.save: 'ctrl s'\n", "space.save: expected key names"),
        ("space.save: 3\n", "space.save: expected key names"),
        ("space.save: r\n", "space.run and space.save both take 'r' on one screen"),
        ("space.save: [w\n", "malformed YAML"),
    ],
)
def test_a_bad_keymap_is_one_line_naming_the_file(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "keymap.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_keymap(path)
    assert str(caught.value).startswith(f"{path}: ") and says in str(caught.value)


def test_the_console_refuses_a_bad_keymap_before_drawing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("monitor.stpo: x\n")
    monkeypatch.setenv("TUNEDECK_KEYMAP", str(path))
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"tunedeck: error: {path}: monitor.stpo: no such binding (did you mean monitor.stop?); "
        "`tunedeck keys` lists them"
    ]


def test_keys_lists_every_id_with_the_users_keys_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("monitor.stop: ctrl+x\n")
    monkeypatch.setenv("TUNEDECK_KEYMAP", str(path))
    assert main(["keys"]) == 0
    lines = capsys.readouterr().out.splitlines()
    stop = next(line for line in lines if line.startswith("monitor.stop "))
    assert "ctrl+x *" in stop and "Stop" in stop
    save = next(line for line in lines if line.startswith("space.save "))
    assert " w " in save and "*" not in save
