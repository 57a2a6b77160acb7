"""What-if sweeps: many half-year replays at once, on Ray.

A sweep file (TOML, ``matcher.sweep.sweepfile``) names a base scenario, variants built from a few
transforms (``transforms``), policies and seeds. Every (variant, seed, policy) is one replay
(``matcher.simulation.simulate``), run as a Ray task (``runner``, ``task``) and stored under a content hash
(``store``), so a re-run only runs what is new or changed. The results are a tidy CSV (``results``) and a
self-contained HTML page (``page``); ``pipeline.run_sweep`` does it all. Ray is an optional extra:
``pip install matcher[sweep]``.
"""

from matcher.sweep.pipeline import SweepOutcome, run_sweep
from matcher.sweep.sweepfile import SweepFileInvalid, load_sweep
from matcher.sweep.transforms import TransformError

__all__ = ["SweepFileInvalid", "SweepOutcome", "TransformError", "load_sweep", "run_sweep"]
