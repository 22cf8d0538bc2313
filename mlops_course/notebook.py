"""The one setup call every lesson and quiz makes in its first code cell."""
from __future__ import annotations

import os
import random

#: Environment variables that switch off third-party telemetry (MLflow, Evidently
#: and every tool that honours the DO_NOT_TRACK convention).
TELEMETRY_OFF = {
    "DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DVC_NO_ANALYTICS": "1",  # DVC ignores DO_NOT_TRACK (week 12)
    "TF_CPP_MIN_LOG_LEVEL": "2",  # keep TensorFlow's start-up noise out of student notebooks
}

SEED = 42


def disable_telemetry() -> None:
    """Switch off third-party telemetry for this process and its children."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


def setup(seed: int = SEED, threads: int | None = None) -> int:
    """Prepare a notebook: telemetry off, seeds fixed, readable plots and tables.

    Numerical libraries get ``threads`` threads (default 1, or ``MLOPS_COURSE_THREADS``):
    the course's data sets are small, and on a shared 2-core machine (CI running two
    notebooks at once, a busy laptop) extra BLAS threads only fight each other.
    Returns the seed so a notebook can write ``SEED = mc.setup()``.
    """
    disable_telemetry()
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads or int(os.environ.get("MLOPS_COURSE_THREADS", "1")))
    random.seed(seed)
    import numpy as np
    import pandas as pd

    np.random.seed(seed)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    import matplotlib

    matplotlib.rcParams.update(
        {"figure.figsize": (7, 4), "figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3}
    )
    return seed
