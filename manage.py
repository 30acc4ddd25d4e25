#!/usr/bin/env python
"""Django's command-line utility for the blog: build, runserver, new_post."""

import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    import django
    from django.core.management import execute_from_command_line

    # Start-up makes about 100,000 objects (modules, classes, URL patterns,
    # templates' code) that live as long as the process. Python's cyclic
    # collector walked them several times while they were made: 40 ms of a
    # 0.29 s start-up (docs/benchmarks.md, issue 17, session 12). So it is
    # off while Django sets up, and what set-up made is then frozen: left
    # out of every later collection, which runs as usual.
    gc.disable()
    django.setup()
    gc.freeze()
    gc.enable()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
