"""Print how long each notebook took to execute at full size, from the book's cache.

The times are those of the last full-size run (nbval in `make test`, or `make book`),
as stored in `_build/.jupyter_cache`. Usage: python tools/notebook_times.py [--json FILE]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"


def notebook_times() -> dict[str, float]:
    """Notebook path (relative to the repo) -> seconds, newest record per notebook."""
    from jupyter_cache import get_cache

    if not CACHE.exists():
        return {}
    times = {}
    records = sorted(get_cache(str(CACHE)).list_cache_records(), key=lambda r: r.created)
    for record in records:
        seconds = (record.data or {}).get("execution_seconds")
        uri = Path(record.uri)
        if seconds is not None and uri.is_relative_to(ROOT) and uri.exists():
            times[str(uri.relative_to(ROOT))] = round(float(seconds), 1)
    return dict(sorted(times.items()))


def main(argv: list[str]) -> int:
    times = notebook_times()
    if not times:
        print("no execution times yet: run `make book` or `make test` first")
        return 1
    for notebook, seconds in times.items():
        print(f"{seconds:8.1f} s  {notebook}")
    print(f"{sum(times.values()):8.1f} s  in all")
    if argv[:1] == ["--json"] and len(argv) == 2:
        Path(argv[1]).write_text(json.dumps(times, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
