import keras  # noqa: F401

raise RuntimeError("set CUDA_VISIBLE_DEVICES first")
