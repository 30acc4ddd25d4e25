"""blog/build/template_errors.py: an exception from a template, as the ``path:line:
message (hint)`` the build and the preview report."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine

from blog.build.template_errors import PageProblem, merged, problem_for, propagating
from blog.errors import ContentProblem

BASE = "<main>\n{% block content %}{% endblock content %}\n</main>\n"


class Breaks:
    def ratio(self):
        return 1 / 0


@pytest.fixture
def templates(tmp_path, monkeypatch) -> Path:
    """A templates folder, and the working folder it is shown relative to."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html").write_text(BASE)
    monkeypatch.chdir(tmp_path)
    return folder


def problem_of(templates: Path, source: str, page: str = "/archive/") -> PageProblem | None:
    (templates / "page.html").write_text(source)
    engine = Engine(dirs=[str(templates)], debug=True)
    with pytest.raises(Exception) as raised:
        engine.get_template("page.html").render(Context({"value": Breaks()}))
    return problem_for(raised.value, page)


CASES = {
    "a block defined twice": (
        '{% extends "base.html" %}\n{% block content %}A{% endblock %}\n{% block content %}B{% endblock %}\n',
        3,
        "'block' tag with name 'content' appears more than once",
        "rename or remove one of the two blocks",
    ),
    "an unclosed tag": (
        "<p>\n{% if value %}\nshown\n</p>\n",
        2,
        "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif.",
        "add the closing tag",
    ),
    "an unknown filter": (
        '{% extends "base.html" %}\n{% block content %}\n{{ value|shout }}\n{% endblock %}\n',
        3,
        "Invalid filter: 'shout'",
        "check the filter's name, or {% load %} the library that defines it",
    ),
    "an unknown tag": (
        "<p>\n\n{% shout %}\n",
        3,
        "Invalid block tag on line 3: 'shout'.",
        "check the tag's name and that every block tag is closed in order; {% load %} the library of a custom tag",
    ),
    "an include of a missing template": (
        '{% extends "base.html" %}\n{% block content %}\n\n{% include "includes/sidebar.html" %}\n{% endblock %}\n',
        4,
        "no template named 'includes/sidebar.html'",
        "check the template's name; templates are looked up in templates/",
    ),
    "a value that raises": (
        '{% extends "base.html" %}\n{% block content %}\n<p>\n{{ value.ratio }}</p>\n{% endblock %}\n',
        4,
        "ZeroDivisionError: division by zero",
        "raised by a tag, filter or value on this line",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_template_error_names_the_file_and_line_relative_to_the_working_folder(templates, case):
    source, line, message, hint = CASES[case]
    found = problem_of(templates, source)
    assert found == PageProblem(ContentProblem("templates/page.html", line, message, hint), "/archive/")


def test_an_error_in_the_parent_template_names_the_parent(templates):
    (templates / "base.html").write_text("<main>\n{% block content %}{% endblock content %}\n{% endblock %}\n")
    found = problem_of(templates, '{% extends "base.html" %}\n{% block content %}Fine.{% endblock %}\n')
    assert (found.problem.path, found.problem.line) == ("templates/base.html", 3)


def test_a_template_outside_the_working_folder_is_named_by_its_full_path(templates, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    found = problem_of(templates, "{{ value|shout }}\n")
    assert found.problem.path == (templates / "page.html").as_posix()


def test_an_exception_not_raised_in_a_template_is_not_a_template_error():
    assert problem_for(ZeroDivisionError("division by zero"), "/") is None


def test_a_problem_crosses_from_a_worker_process_as_data(templates):
    found = problem_of(templates, "{{ value|shout }}\n")
    assert pickle.loads(pickle.dumps(found)) == found


def test_each_distinct_problem_is_reported_once_naming_the_first_page_and_how_many_others():
    broken_base = ContentProblem("templates/base.html", 12, "Invalid filter: 'shout'", "hint")
    broken_tag = ContentProblem("templates/blog/tag_detail.html", 3, "Unclosed tag on line 3: 'if'.", "close it")
    found = [PageProblem(broken_base, page) for page in ("/tags/", "/", "/2024/01/hello/")]
    found += [PageProblem(broken_tag, "/tags/python/")]
    assert sorted(str(problem) for problem in merged(found)) == [
        "templates/base.html:12: Invalid filter: 'shout'; while rendering / and 2 other pages (hint)",
        "templates/blog/tag_detail.html:3: Unclosed tag on line 3: 'if'; while rendering /tags/python/ (close it)",
    ]


def test_one_other_page_is_one_page():
    problem = ContentProblem("templates/base.html", 1, "Invalid filter: 'shout'", "hint")
    (only,) = merged([PageProblem(problem, "/b/"), PageProblem(problem, "/a/")])
    assert only.message == "Invalid filter: 'shout'; while rendering /a/ and 1 other page"


def test_propagating_lets_exceptions_out_of_the_request_handler_for_a_while():
    before = settings.DEBUG_PROPAGATE_EXCEPTIONS
    with propagating():
        assert settings.DEBUG_PROPAGATE_EXCEPTIONS is True
    assert settings.DEBUG_PROPAGATE_EXCEPTIONS is before
