"""The search space as a tree: groups, parameters with their values or range, choice values.

The tree only shows a `Draft` and says what the user asked for (messages up); the screen owns
the draft and applies the edits, so undo and validation live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from engine.face import Choice, describe, unused_settings
from tui.draft import Draft
from tui.fmt import fmt_value

LAYER = "layer"  # a hidden layer's node: `layer 2`


@dataclass(frozen=True)
class NodeRef:
    """What a tree node stands for: a group, a parameter, or one value of a choice."""

    kind: str  # group | param | value
    name: str
    value: Any = None


class SpaceTree(Tree[NodeRef]):
    """Keyboard editing of a space: the keys post `EditRequested` with what to do where."""

    BINDINGS = [
        Binding("enter", "edit", "Edit", id="tree.edit"),
        Binding(
            "space",
            "toggle_value",
            "Value on/off",
            show=False,
            tooltip="Off: kept in the file, not searched",
            id="tree.toggle_value",
        ),
        Binding("delete", "remove_value", "Remove value", show=False, id="tree.remove_value"),
        Binding(
            "plus,equals_sign",
            "add_value",
            "Add value",
            key_display="+",
            show=False,
            id="tree.add_value",
        ),
        Binding("j", "cursor_down", "Cursor Down", show=False, id="tree.cursor_down"),
        Binding("k", "cursor_up", "Cursor Up", show=False, id="tree.cursor_up"),
        Binding("left", "collapse", "Collapse", show=False, id="tree.collapse"),
        Binding("right", "expand", "Expand", show=False, id="tree.expand"),
    ]

    @dataclass
    class EditRequested(Message):
        """`action` (edit | toggle | remove | add) asked on the node `ref`."""

        action: str
        ref: NodeRef

    def __init__(self, draft: Draft, **kwargs: Any) -> None:
        super().__init__("space", **kwargs)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self._params: dict[str, TreeNode[NodeRef]] = {}
        self._shown: dict[str, tuple[Any, ...]] = {}
        self._shape: tuple[str, ...] = ()
        self._drawn: Draft | None = None
        self._populate(draft)
        self.show(draft)

    # ---- building ------------------------------------------------------------------------
    def _populate(self, draft: Draft) -> None:
        """One node per group and parameter of this space (a user model brings its own); a
        hidden layer's own settings sit under a node of that layer."""
        self.root.remove_children()
        self._params.clear()
        self._shown.clear()
        self._shape = _shape(draft)
        for group in draft.space.groups:
            gnode = self.root.add(group, NodeRef("group", group), expand=True)
            layers: dict[int, TreeNode[NodeRef]] = {}
            for spec in (p for p in draft.space.specs if p.group == group):
                under = layers.get(spec.layer, gnode)
                self._params[spec.name] = under.add("", NodeRef("param", spec.name), expand=True)
                if spec.name == "layers" and draft.space.layered is not None:
                    layers = _layer_nodes(gnode, draft)

    def show(self, draft: Draft) -> None:
        """Relabel what changed; only a parameter whose values changed gets new value nodes
        (a space of another shape, e.g. one naming its own model, is built anew). The draft
        shown already (the editor's first refresh) is not drawn twice."""
        if draft is self._drawn:
            return
        self._drawn = draft
        if _shape(draft) != self._shape:
            self._populate(draft)
        specs = draft.space.specs
        tuned = set(draft.space.tuned())
        unused = set(unused_settings(draft.space))  # a user model that compiles itself
        for gnode in self.root.children:
            group = gnode.data.name if gnode.data else ""
            names = [p.name for p in specs if p.group == group]
            count = sum(1 for name in names if name in tuned)
            label = Text.assemble((group, "bold"), f"  {count} tuned")
            if names and all(name in unused for name in names):
                label = Text.assemble((group, "dim"), ("  unused: model compiles", "dim italic"))
            gnode.set_label(label)
        for name, node in self._params.items():
            node.set_label(param_label(draft, name, name in tuned, name in unused))
            values = tuple(draft.values(name))
            if self._shown.get(name) != values:
                self._shown[name] = values
                self._replace_values(node, name, values)

    def _replace_values(
        self, node: TreeNode[NodeRef], name: str, values: tuple[tuple[Any, bool], ...]
    ) -> None:
        """Relabel the value nodes in place (the cursor keeps its line), add or drop the tail."""
        children = list(node.children)
        for index, (value, on) in enumerate(values):
            mark = ("● ", "green") if on else ("○ ", "dim")
            label = Text.assemble(mark, (fmt_value(value), "" if on else "dim strike"))
            if not on:
                label.append(" (off)", "dim italic")
            ref = NodeRef("value", name, value)
            if index < len(children):
                children[index].data = ref
                children[index].set_label(label)
            else:
                node.add_leaf(label, ref)
        for extra in children[len(values) :]:
            extra.remove()
        node.allow_expand = bool(values)

    # ---- navigation ----------------------------------------------------------------------
    def focus_param(self, name: str) -> bool:
        node = self._params.get(name)
        if node is None:
            return False
        above = node.parent
        while above is not None:
            above.expand()
            above = above.parent
        self.move_cursor(node)
        return True

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is not None and node.is_expanded and node.children:
            node.collapse()
        elif node is not None and node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand(self) -> None:
        if self.cursor_node is not None:
            self.cursor_node.expand()

    # ---- edits (posted up) ---------------------------------------------------------------
    def _post(self, action: str) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.EditRequested(action, node.data))

    def action_edit(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind == "group":
            node.toggle()  # a group has nothing to edit: enter folds it
            return
        self._post("edit")

    def action_toggle_value(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind == "group":
            node.toggle()
            return
        self._post("toggle")

    def action_remove_value(self) -> None:
        self._post("remove")

    def action_add_value(self) -> None:
        self._post("add")


def param_label(draft: Draft, name: str, tuned: bool, unused: bool = False) -> Text:
    """`nodes  [16, 32, 64]`, with conditional parameters tagged with what enables them; a
    setting the user's self-compiling model never sees is dimmed and says so."""
    spec = draft.space.spec(name)
    hp = draft.space.params[name]
    if unused:
        return Text.assemble((spec.key, "dim"), (f"  {describe(hp)}  unused", "dim italic"))
    text = Text(spec.key, style="bold" if tuned else "")
    if isinstance(hp, Choice) and name in draft.order:
        text.append(f"  {describe(hp)}", "cyan")
        text.append(f"  {len(draft.order[name]) - len(hp.options)} off", "dim")
    else:
        text.append(f"  {describe(hp)}", "cyan" if tuned else "")
    if spec.parent is not None:
        parent = draft.space.spec(spec.parent)
        when = ",".join(fmt_value(v) for v in spec.when)
        if len(when) > 18:
            when = when[:17] + "…"
        text.append(
            f"  if {parent.key if parent.key != 'name' else parent.group}={when}", "italic dim"
        )
    return text


def _layer_nodes(gnode: TreeNode[NodeRef], draft: Draft) -> dict[int, TreeNode[NodeRef]]:
    """One node per hidden layer of a list of layers (its own settings go under it): `+`
    inserts a layer after it, delete removes it."""
    count = int(draft.space.params["layers"].default)
    own = {spec.layer for spec in draft.space.specs if spec.layer}
    nodes = {}
    for layer in range(1, count + 1):
        label = Text(f"layer {layer}", "bold")
        if layer not in own:
            label.append("  shared settings", "dim italic")
        nodes[layer] = gnode.add(label, NodeRef("group", f"{LAYER} {layer}"), expand=True)
    return nodes


def layer_of(ref: NodeRef) -> int | None:
    """The layer a node of a list of layers stands for, else None."""
    if ref.kind != "group" or not ref.name.startswith(f"{LAYER} "):
        return None
    return int(ref.name.split()[1])


def _shape(draft: Draft) -> tuple[str, ...]:
    shape = tuple(f"{p.group}.{p.name}" for p in draft.space.specs)
    if draft.space.layered is None:
        return shape
    return (*shape, f"layers={draft.space.params['layers'].default}")
