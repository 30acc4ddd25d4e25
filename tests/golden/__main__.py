"""``python -m tests.golden regenerate``: rebuild the golden test's expected tree."""

from __future__ import annotations

import sys

from . import EXPECTED, regenerate


def main(argv: list[str]) -> int:
    if argv != ["regenerate"]:
        print("usage: python -m tests.golden regenerate", file=sys.stderr)
        return 2
    count = regenerate()
    print(f"Wrote {count} files to {EXPECTED}; review them with git diff before committing.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
