"""OpenML datasets (`openml:NAME` or `openml:ID`) through scikit-learn's `fetch_openml`.

scikit-learn downloads and caches them itself (under `--data-home`, else `$SCIKIT_LEARN_DATA`,
else `~/scikit_learn_data`) and checks the data file against the MD5 OpenML publishes. The
frame it returns is a table like any CSV or Parquet file (`engine.data.tables`): numeric
columns scaled, categorical ones one-hot encoded, gaps imputed; the target is OpenML's default
target unless `--target` names another column.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from engine.data.catalog import is_openml
from engine.data.columns import frame_columns
from engine.data.source import _Source
from engine.data.tables import table_source
from engine.errors import DataError

PREFIX = "openml:"
RETRIES = 1  # scikit-learn's network retries (a second each): offline fails in seconds


def openml_reference(spec: str) -> dict[str, Any]:
    """`fetch_openml`'s keyword for `openml:NAME` (name) or `openml:ID` (data_id)."""
    assert is_openml(spec)
    ref = spec.strip()[len(PREFIX) :].strip()
    if not ref:
        raise DataError(f"{spec.strip()!r} names no dataset; use openml:NAME or openml:ID")
    return {"data_id": int(ref)} if ref.isdigit() else {"name": ref}


def openml_source(
    spec: str, target: str | None, task: str | None, data_home: str | None = None
) -> _Source:
    """Fetch (or read from the cache) the dataset and read it as a table."""
    from urllib.error import URLError

    from sklearn.datasets import fetch_openml, get_data_home

    reference = openml_reference(spec)
    home = get_data_home(data_home)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # retries and version notes: the error says it all
            bunch = fetch_openml(
                **reference, data_home=home, as_frame=True, parser="pandas", n_retries=RETRIES
            )
    except (URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"cannot fetch from OpenML ({_one_line(reason)}); scikit-learn caches what it "
            f"fetched under {Path(home) / 'openml'}"
        ) from None
    except (ValueError, KeyError) as exc:  # unknown name or id, bad checksum, bad ARFF
        raise DataError(f"OpenML: {_one_line(exc)}") from None
    frame = bunch.frame
    header = [str(c) for c in frame.columns]
    if target is None:
        if len(bunch.target_names) != 1:
            raise DataError(
                "this OpenML dataset has no single default target; name one with --target"
            )
        target = str(bunch.target_names[0])
    rows = list(range(1, len(frame) + 1))
    source = table_source(header, frame_columns(frame), rows, target, task, None, "row")
    details = bunch.details
    source.url = str(details.get("url", ""))
    source.meta = {
        "openml_id": int(details["id"]),
        "name": str(details.get("name", "")),
        "version": int(details.get("version", 0)),
        "md5": str(details.get("md5_checksum", "")),
        "data_home": str(home),
    }
    return source


def _one_line(exc: object) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
