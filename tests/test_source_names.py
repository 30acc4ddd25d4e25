"""blog/content/source_names.py: a post found by the name a link gives it."""

from __future__ import annotations

import pickle

from blog.content.source_names import SourceNames

NAMES = SourceNames.of(
    [
        "posts/2010-07-21-name.md",
        "posts/en/news/2014-01-05-later.md",
        "posts/fr/news/2014-01-05-later.md",
        "pages/about.markdown",
    ]
)


def test_a_link_is_matched_on_the_file_name_whatever_its_folders():
    assert NAMES.find("en/news/_posts/2010-07-21-name.md") == "posts/2010-07-21-name.md"
    assert NAMES.find("_posts/2010-07-21-name.md") == "posts/2010-07-21-name.md"
    assert NAMES.find("/2010-07-21-name.md") == "posts/2010-07-21-name.md"


def test_post_url_names_a_file_without_its_suffix():
    assert NAMES.find("2010-07-21-name") == "posts/2010-07-21-name.md"
    assert NAMES.find("about") == "pages/about.markdown"


def test_of_two_files_with_one_name_the_one_whose_folders_match_wins():
    assert NAMES.find("fr/news/_posts/2014-01-05-later.md") == "posts/fr/news/2014-01-05-later.md"
    assert NAMES.find("en/news/2014-01-05-later.md") == "posts/en/news/2014-01-05-later.md"
    # Nothing to tell them apart: the first in sort order, every time.
    assert NAMES.find("2014-01-05-later.md") == "posts/en/news/2014-01-05-later.md"


def test_a_name_no_file_has_finds_nothing():
    assert NAMES.find("2010-07-21-other.md") is None
    assert NAMES.find("") is None
    assert NAMES.find("2010-07-21-name.txt") is None


def test_it_reaches_a_worker_process_whole():
    NAMES.find("about")  # builds the index, which is not sent
    copy = pickle.loads(pickle.dumps(NAMES))
    assert copy.joined == NAMES.joined
    assert copy.find("2010-07-21-name") == "posts/2010-07-21-name.md"
