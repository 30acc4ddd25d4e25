"""What every build loads before it knows the site: packages that only some
sites use stay out of it, as a build that changes one post is mostly start-up
(docs/benchmarks.md, issue 17)."""

from __future__ import annotations

from tests.conftest import run_python

# The modules a build imports before it reads the content: the command, the
# URL configuration and the middleware (the preview's among them).
STARTUP = """
import sys
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
import blog.management.commands.build, blog.urls
WSGIHandler()
watched = {"liquid", "django", "PIL", "latex2mathml"}
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in watched)))
"""


def loaded_at_startup() -> set[str]:
    return set(run_python(STARTUP).split())


def test_python_liquid_and_djangos_test_client_are_not_loaded_by_every_build():
    loaded = loaded_at_startup()
    assert "django.core.handlers.wsgi" in loaded  # the probe saw the start-up
    assert "liquid" not in loaded, "python-liquid is for sites with Liquid (blog/content/liquid_site.py)"
    assert "django.test" not in loaded, "the test client is for the preview's search (blog/preview_search.py)"


def test_pillows_image_modules_and_the_math_converter_wait_for_an_image_or_a_formula():
    loaded = loaded_at_startup()
    # The packages themselves are loaded: their versions are in the renderer's fingerprint.
    assert {"PIL", "latex2mathml"} <= loaded
    assert "PIL.Image" not in loaded, "Pillow's modules are for a build that reads an image (blog/content/images.py)"
    assert "latex2mathml.converter" not in loaded, "the converter is for posts with math (blog/content/math.py)"
