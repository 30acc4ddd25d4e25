"""The generator's fingerprint (blog/build/fingerprints.py) covers the code a
user adds to the project outside blog/ (an app of their own, its template tags)
and leaves out installed libraries."""

from __future__ import annotations

import sys
import types

from django.test import override_settings

from blog.build.fingerprints import generator_fingerprint


def loaded(name: str, path) -> None:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module


def test_a_users_own_module_in_the_project_is_part_of_the_fingerprint(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "blog").mkdir(parents=True)
    tags = project / "myapp" / "templatetags" / "my_tags.py"
    tags.parent.mkdir(parents=True)
    tags.write_text("LIMIT = 5\n")
    monkeypatch.setitem(sys.modules, "myapp.templatetags.my_tags", None)
    loaded("myapp.templatetags.my_tags", tags)
    with override_settings(BASE_DIR=project):
        before = generator_fingerprint()
        assert generator_fingerprint() == before
        tags.write_text("LIMIT = 10\n")
        assert generator_fingerprint() != before


def test_an_installed_library_is_not(tmp_path, monkeypatch):
    """A virtual environment inside the project folder (.venv) holds libraries,
    whose versions the fingerprint names; their files are not read."""
    project = tmp_path / "project"
    (project / "blog").mkdir(parents=True)
    library = project / ".venv" / "lib" / "somelib.py"
    library.parent.mkdir(parents=True)
    library.write_text("VERSION = 1\n")
    monkeypatch.setattr(sys, "prefix", str(project / ".venv"))
    monkeypatch.setitem(sys.modules, "somelib", None)
    loaded("somelib", library)
    with override_settings(BASE_DIR=project):
        before = generator_fingerprint()
        library.write_text("VERSION = 2\n")
        assert generator_fingerprint() == before
