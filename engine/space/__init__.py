"""The search space: the catalogue of parameters (`schema`), the five kinds of hyperparameter
(`hyperparameters`), one parameter's file form (`params`) and the validated `Space`.

It knows nothing of backends; they translate it.
"""

from engine.space.search_space import Config, Space, default_space, parse_text

__all__ = ["Config", "Space", "default_space", "parse_text"]
