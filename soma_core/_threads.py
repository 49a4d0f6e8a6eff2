"""Thread settings that must be in place before numpy loads OpenBLAS; imported first by ``soma_core``.

OpenBLAS's worker threads spin for about 0.1 s after each call by default.
Beside torch's intra-op threads (the sentence-transformers embedder) on a small
machine, the two pools then fight for the cores: on 2 CPUs half of the HTTP
searches at 10k memories took ~110 ms instead of ~16 ms
(docs/benchmarks.md). With ``OPENBLAS_THREAD_TIMEOUT=4`` they sleep at once;
the next call wakes them in microseconds (in-process search latency at 100k
unchanged within noise). OpenBLAS reads it when numpy loads, so this acts only
where Soma is imported before numpy (the ``soma`` CLI and server); an
operator's own setting wins.
"""

import os
import sys

if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
