"""A ledger writer run as a subprocess by the concurrency and kill tests (not a test module).

``python -m tests.ledger._writer LEDGER BLOB RUNS [SIGNAL_FD]``: records the pickled (registry,
pairs) of BLOB as RUNS runs. With SIGNAL_FD, the first run writes a byte to that pipe once 1,000
decision rows are inside its open transaction, then blocks on stdin until it is killed.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from exportscreen.ledger import Ledger


def main() -> None:
    path, blob, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    signal_fd = int(sys.argv[4]) if len(sys.argv) > 4 else None
    registry, pairs = pickle.loads(blob.read_bytes())
    with Ledger(path) as ledger:
        if signal_fd is not None:
            inserted = 0

            def trace(sql: str) -> None:
                nonlocal inserted
                if sql.startswith("INSERT INTO decisions"):
                    inserted += 1
                    if inserted == 1000:
                        os.write(signal_fd, b"w")
                        sys.stdin.buffer.read(1)  # blocks until the parent kills this process

            ledger._conn.set_trace_callback(trace)
        for _ in range(runs):
            ledger.record(pairs, command="check", registry=registry, as_of=None)


if __name__ == "__main__":
    main()
