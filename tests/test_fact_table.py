"""blog/reads/facts.py, FactTable: what a build trusts is the facts the previous
output's pages name, less those that fail now; the table keeps every fact a
recorded page names, and drops the failing ones with the build that renders
every page naming them."""

from __future__ import annotations

import json

import pytest

from blog.models import Fact
from blog.reads import pack_ids
from blog.reads.facts import FactTable, TrustedFacts
from blog.visibility import Visibility


class StandIn:
    """What the build's CurrentFacts tells a FactTable: which subjects changed
    since the last build, and which of the facts checked fail now."""

    def __init__(self, changed: set[str] = frozenset(), failing_keys: set[str] = frozenset()) -> None:
        self.changed = changed
        self.failing_keys = failing_keys
        self.index_holdings = "holdings"

    def changed_subjects(self) -> set[str]:
        return set(self.changed)

    def holds(self, key: tuple, value: str) -> bool:
        return key[2] not in self.failing_keys

    def record_rows(self) -> None:
        pass


def fact(name: str, value: str) -> tuple[str, str, str]:
    """A row fact: the title of the post ``name`` was ``value`` (as stored: key JSON, digest, subject)."""
    return json.dumps(["row", "blog.post", name, ["title"]]), value, f"blog.post {name}"


def stored_ids() -> set[int]:
    return set(Fact.objects.values_list("id", flat=True))


RULE = Visibility()
# 1 and 2: about a post that changed; 2 is named by no page (a failed build stored it).
# 3 fails now. 4: about a post that did not change, named by no page.
FACTS = {
    1: fact("posts/changed.md", "now"),
    2: fact("posts/changed.md", "before"),
    3: fact("posts/failing.md", "before"),
    4: fact("posts/same.md", "before"),
    5: fact("posts/same.md", "now"),
}
IN_USE = {1, 3, 5}
# The previous output's records, as the build hands them over: a copied file, and two pages' ids.
NAMED = [
    ("logo.png", "120:1", None),
    ("a/index.html", "k1", pack_ids([1, 3])),
    ("b/index.html", "k2", pack_ids([3, 5])),
]


def trusted_ids(trusted: TrustedFacts) -> set[int]:
    return {id_ for id_ in FACTS if trusted.hold(pack_ids([id_]))}


@pytest.fixture
def recorded(db) -> None:
    """The table as a previous build left it, with its code and options."""
    first = FactTable(RULE, any_named=False)
    first.add(FACTS)
    first.save(StandIn())
    assert stored_ids() == set(FACTS)


def test_only_the_facts_pages_name_are_trusted_and_failing_ones_go_with_the_build(recorded):
    table = FactTable(RULE, any_named=True)
    current = StandIn(
        changed={"blog.post posts/changed.md", "blog.post posts/failing.md"}, failing_keys={"posts/failing.md"}
    )
    trusted = table.trusted(current, NAMED)
    assert trusted_ids(trusted) == {1, 5}
    assert trusted.failing == {3}
    # A fragment is trusted only if every one of its facts is.
    assert trusted.hold(pack_ids([1, 5]))
    assert not trusted.hold(pack_ids([1, 3]))
    assert not trusted.hold(pack_ids([1, 4]))
    # 2 came up and holds, but no page names it: kept, not trusted. 4 did not come up: it stays.
    assert stored_ids() == set(FACTS)
    # Every page that named 3 is rendered again; once the build is recorded, 3 goes.
    table.save(current)
    assert stored_ids() == {1, 2, 4, 5}


def test_a_fact_no_page_names_that_fails_goes_with_the_build(recorded):
    table = FactTable(RULE, any_named=True)
    current = StandIn(changed={"blog.post posts/changed.md"}, failing_keys={"posts/changed.md"})
    trusted = table.trusted(current, NAMED)
    assert trusted.failing == {1, 2}
    # 3's subject did not change since the pages naming it were recorded.
    assert trusted_ids(trusted) == {3, 5}
    table.save(current)
    assert stored_ids() == {3, 4, 5}


def test_a_failed_build_keeps_what_the_recorded_pages_name(recorded):
    table = FactTable(RULE, any_named=True)
    current = StandIn(changed={"blog.post posts/failing.md"}, failing_keys={"posts/failing.md"})
    assert trusted_ids(table.trusted(current, NAMED)) == {1, 5}
    # No save: the build failed, and the pages that name 3 are still recorded.
    again = FactTable(RULE, any_named=True)
    assert 3 in stored_ids()
    assert trusted_ids(again.trusted(current, NAMED)) == {1, 5}


def test_new_options_forget_every_fact(recorded):
    table = FactTable(Visibility(drafts=True), any_named=True)
    trusted = table.trusted(StandIn(), NAMED)
    assert not trusted
    assert stored_ids() == set()


def test_a_page_asks_about_the_facts_it_named_before_without_every_pages_set(recorded):
    table = FactTable(RULE, any_named=True)
    trusted = table.trusted(StandIn(changed={"blog.post posts/changed.md"}), NAMED)
    everywhere = trusted_ids(trusted)
    assert everywhere == {1, 3, 5}

    def every_pages_set() -> set[int]:
        raise AssertionError("the set of every page's ids was made")

    real_gather, trusted.gather = trusted.gather, every_pages_set
    # What b/index.html named before is trusted on its own ids.
    assert trusted.hold(pack_ids([3, 5]), "b/index.html")
    # Anything else needs every page's ids, and gets the same answer as without a page.
    trusted.gather = real_gather
    for page in ("a/index.html", "b/index.html", "new/index.html", ""):
        assert {id_ for id_ in FACTS if trusted.hold(pack_ids([id_]), page)} == everywhere
        assert trusted.hold(pack_ids([1, 5]), page)
        assert not trusted.hold(pack_ids([1, 4]), page)
