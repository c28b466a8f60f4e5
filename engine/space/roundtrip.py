"""Saving a space over the user's own file, changing only what changed.

The file is read again (the strict reader first, `engine.space.reading`: regular file, size,
no duplicate keys, no alias bombs), then edited as a tree: ruamel.yaml's round-trip mode for
YAML (comments, key order, flow or block style and quoting kept), plain ordered JSON. What the
file meant (`before`, its space's full form) and what the space is now (`after`) are compared
key by key: an unchanged value keeps its node untouched; a changed one is rewritten in place,
in the style its old node had; a key the file never wrote is added only if its value is not
the one the file already implied (a catalogue default the user never wrote stays unwritten);
a key the space no longer has is removed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, MutableMapping
from typing import Any

MISSING = object()


def updated_text(
    text: str, suffix: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> str:
    """`text` (the file's, already read strictly) with `after`'s differences from `before`."""
    if suffix == ".json":
        data = json.loads(text) if text.strip() else {}
        merge(data, before, after, plain=True)
        return json.dumps(data, indent=2) + "\n"
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    doc = yaml.load(text)
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    merge(doc, before, after, plain=False)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def merge(
    node: MutableMapping[str, Any],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    plain: bool,
    top: bool = True,
) -> None:
    """Edit `node` (what the file holds at this level) from `before` into `after`."""
    for key, new in after.items():
        old = before.get(key, MISSING)
        if key in node:
            if _same(old, new):
                continue
            here = node[key]
            if (
                isinstance(new, Mapping)
                and isinstance(here, MutableMapping)
                and isinstance(old, Mapping)
            ):
                merge(here, old, new, plain, top=False)
            else:
                node[key] = _styled(new, here, plain)
        elif not _same(old, new):
            if isinstance(new, Mapping) and isinstance(old, Mapping):  # only what differs
                new = {k: v for k, v in new.items() if not _same(old.get(k, MISSING), v)}
            node[key] = _styled(new, None, plain, block=top)
    for key in [k for k in node if k in before and k not in after]:
        del node[key]


def _same(a: Any, b: Any) -> bool:
    """Equal as a space reads them (`1` and `1.0` differ in type, so not the same value)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _styled(value: Any, like: Any, plain: bool, block: bool = False) -> Any:
    """`value` as a node: flow style where the old node was flow (or, new, for a parameter's
    own list or mapping), block style for a new group (`block`) and where the old was block."""
    if plain:
        return value
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        node: Any = CommentedMap()
        for k, v in value.items():
            node[k] = _styled(v, None, plain)
    elif isinstance(value, list | tuple):
        node = CommentedSeq([_styled(v, None, plain) for v in value])
    else:
        return value
    flow = getattr(getattr(like, "fa", None), "flow_style", lambda: None)()
    if flow is None:  # new: a group is a block of parameters, a parameter's value one line
        flow = not block
    if flow:
        node.fa.set_flow_style()
    else:
        node.fa.set_block_style()
    return node
