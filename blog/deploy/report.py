"""What a publish tells the person who ran it."""

from __future__ import annotations

from dataclasses import dataclass, field


class PublishError(Exception):
    """A publish that could not finish; the message says what to do."""


def size_text(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


@dataclass
class PublishResult:
    uploaded: int = 0
    uploaded_bytes: int = 0
    deleted: int = 0
    unchanged: int = 0
    invalidated: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    # Said before the end line: a refused deletion, a whole-site invalidation.
    notes: list[str] = field(default_factory=list)
    # More remote files were gone than --max-deletes: the publish is not complete.
    deletes_refused: bool = False
    # A git target's: what was committed, and the end line says "committed".
    commit: str = ""
    verb: str = "upload"
    # A git target's changes: (git's status letter, path).
    changes: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        files = "file" if self.uploaded == 1 else "files"
        if self.verb == "commit":
            verb = "would commit" if self.dry_run else "committed"
            line = (
                f"{verb} {self.uploaded} changed {files} ({size_text(self.uploaded_bytes)}),"
                f" deleted {self.deleted}, unchanged {self.unchanged}, in {self.seconds:.2f} s"
            )
            return f"{line}; {self.commit}"
        upload, delete, invalidate = (
            ("would upload", "would delete", "would invalidate")
            if self.dry_run
            else ("uploaded", "deleted", "invalidated")
        )
        return (
            f"{upload} {self.uploaded} {files} ({size_text(self.uploaded_bytes)}), {delete} {self.deleted},"
            f" unchanged {self.unchanged}, {invalidate} {self.invalidated} paths, in {self.seconds:.2f} s"
        )
