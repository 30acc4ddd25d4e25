"""blog/reads/facts.py, FactTable: what a build trusts is the facts the previous
output's pages name, less those that fail now; the table keeps every fact a
recorded page names, and drops the others as their subjects come up."""

from __future__ import annotations

import json

import pytest

from blog.models import Fact
from blog.reads.facts import FactTable
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

    def all_rows(self) -> dict:
        return {}


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


@pytest.fixture
def recorded(db) -> None:
    """The table as a previous build left it, with its code and options."""
    first = FactTable(RULE, set())
    first.add(FACTS)
    first.save(StandIn())
    assert stored_ids() == set(FACTS)


def test_only_the_facts_pages_name_are_trusted_and_failing_ones_go_with_the_build(recorded):
    table = FactTable(RULE, IN_USE)
    current = StandIn(
        changed={"blog.post posts/changed.md", "blog.post posts/failing.md"}, failing_keys={"posts/failing.md"}
    )
    assert table.holding(current, IN_USE) == {1, 5}
    # 2 came up and no page names it: gone. 4 did not come up: it stays.
    assert stored_ids() == {1, 3, 4, 5}
    # Every page that named 3 is rendered again; once the build is recorded, 3 goes.
    table.save(current)
    assert stored_ids() == {1, 4, 5}


def test_a_failed_build_keeps_what_the_recorded_pages_name(recorded):
    table = FactTable(RULE, IN_USE)
    current = StandIn(changed={"blog.post posts/failing.md"}, failing_keys={"posts/failing.md"})
    assert table.holding(current, IN_USE) == {1, 5}
    # No save: the build failed, and the pages that name 3 are still recorded.
    again = FactTable(RULE, IN_USE)
    assert 3 in stored_ids()
    assert again.holding(current, IN_USE) == {1, 5}


def test_new_options_forget_every_fact(recorded):
    table = FactTable(Visibility(drafts=True), IN_USE)
    assert table.holding(StandIn(), IN_USE) == set()
    assert stored_ids() == set()
