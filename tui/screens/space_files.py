"""The space editor's files: saving and opening a space, and the parameters a model function
declares (read by the engine when a space names one)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from engine.face import InputError, RunSettings, Space
from tui.bridge import ask_engine
from tui.draft import Draft, file_settings, with_file_settings
from tui.screens.dialogs import ConfirmScreen, PromptScreen

if TYPE_CHECKING:
    from textual.app import App


class SpaceFiles:
    """Mixed into the editor screen, whose draft, settings and status line it uses."""

    app: App[Any]
    draft: Draft
    saved: Space
    settings: RunSettings
    space_path: str | None

    # the editor's own, which it defines
    @property
    def space(self) -> Space:
        raise NotImplementedError

    @property
    def modified(self) -> bool:
        raise NotImplementedError

    def say(self, text: str, error: bool = False) -> None:
        raise NotImplementedError

    def _refresh(self) -> None:
        raise NotImplementedError

    def _commit(self, draft: Draft, what: str) -> None:
        raise NotImplementedError

    @work(exclusive=True, group="declared")
    async def read_declared(self) -> None:
        """A model function written for Keras Tuner declares its own parameters (`hp.Int`, …):
        the engine calls it (the console never imports a user's code) and the declared ones
        join the `params` group, to be edited like any other; what the file says wins."""
        model = self.space.source.model
        if model is None or not model.may_declare(self.space.base_dir):
            return
        self.say(f"reading the parameters {model} declares…")
        with tempfile.TemporaryDirectory(prefix="tunedeck-") as tmp:
            path = Path(tmp) / "space.yaml"
            self.space.resolved().save(path)
            args = ("space", "--from", str(path), "--json", "--dataset", self.settings.dataset)
            result = await ask_engine(getattr(self.app, "standby", None), *args)
        if result.returncode != 0:
            why = result.stderr.strip().splitlines()[-1:] or [f"exit code {result.returncode}"]
            self.say(why[0].removeprefix("tunedeck: error: "), error=True)
            return
        declared = json.loads(result.stdout).get("params", {})
        data = {**self.space.to_dict(), "params": declared}
        space = Space.from_dict(data, base_dir=self.space.base_dir)
        new = [p.name for p in space.user if p.name not in self.space.params]
        if not new:
            self.say("")
            return
        unchanged = not self.modified
        self.draft = Draft(space, self.draft.order)
        if unchanged:
            self.saved = space  # declared, not edited: nothing to save yet
        self._refresh()
        self.say(f"{model} declares {', '.join(new)}: edit them under params")

    # ---- files -----------------------------------------------------------------------------
    def action_save(self, then: Callable[[], Any] | None = None) -> None:
        """Save over the open file in one key, keeping its comments, order and style (only
        what changed is rewritten); with no file of its own yet, ask for a name. `then` runs
        only once the space is saved."""
        own = self._own_file()
        if own is None:
            self.action_save_as(then)
        else:
            self._write(own, then)

    def action_save_as(self, then: Callable[[], Any] | None = None) -> None:
        """Ask for a file name and save there (an existing file only once confirmed)."""

        def chosen(value: str | None) -> None:
            if not value:
                return
            path = Path(value.strip()).expanduser()
            if path.exists():
                question = f"{path} exists. Overwrite it?"
                self.app.push_screen(
                    ConfirmScreen(question), lambda yes: self._write(path, then) if yes else None
                )
            else:
                self._write(path, then)

        def check(text: str) -> str | None:
            path = Path(text.strip()).expanduser()
            if path.suffix not in (".yaml", ".yml", ".json"):
                return "give a .yaml or .json file name"
            if path.is_dir() or not path.parent.is_dir():
                return (
                    f"{path.parent}: no such folder" if not path.parent.is_dir() else "is a folder"
                )
            return None

        self.app.push_screen(
            PromptScreen(
                "Save the space as (.yaml or .json)",
                "space.yaml" if self.saved.note else self.space_path or "space.yaml",  # not over
                check,  # a converted sweep
            ),
            chosen,
        )

    def _own_file(self) -> Path | None:
        """The file the space was opened from or saved to, if it is still there and was read
        as a space (not converted from a sweep or a grid, which is never written over)."""
        if not self.space_path or self.saved.note:
            return None
        path = Path(self.space_path).expanduser()
        return path if path.is_file() else None

    def _write(self, path: Path, then: Callable[[], Any] | None) -> None:
        """The space and the console's settings (`console:`) into `path`: over its own file
        through the round-trip save, anywhere else whole."""
        space = replace(self.space, console=file_settings(self.settings))
        own = self._own_file()
        try:
            if own is not None and own.resolve() == path.resolve():
                space.save_over(path)
            else:
                space.save(path)
        except OSError as exc:
            self.say(f"{path}: cannot write ({exc.strerror})", error=True)
            return
        self.space_path = str(path)
        self.saved = replace(space, note="")
        self._refresh()
        self.say(f"saved {path}")
        if then is not None:
            then()

    def action_open(self) -> None:
        loaded: dict[str, Space] = {}

        def check(text: str) -> str | None:
            try:
                loaded["space"] = Space.load(Path(text.strip()).expanduser())
            except InputError as exc:
                return str(exc)
            return None

        def done(value: str | None) -> None:
            if value and "space" in loaded:
                self._commit(Draft(loaded["space"]), f"opening {value.strip()}")
                self.space_path = value.strip()
                self.saved = loaded["space"]
                try:  # the settings the file was saved with
                    self.settings = with_file_settings(self.settings, self.saved.console)
                    bad = ""
                except InputError as exc:
                    bad = f"; {exc} (settings kept)"
                self._refresh()
                self.say(
                    f"opened {value.strip()} (u undoes)"
                    + (f"; {self.saved.note}" if self.saved.note else "")
                    + bad,
                    error=bool(bad),
                )
                self.read_declared()

        self.app.push_screen(PromptScreen("Open a space file", self.space_path or "", check), done)
