"""The files the built site publishes besides its pages, served by the preview
at the paths the build writes them to: the content folder's files (a page
bundle's beside its post's URL) and the resized copies of images. Without
them every image of ``make serve`` was a broken link."""

from __future__ import annotations

from pathlib import Path

from .build.plan import find_content_files, image_copies
from .content.sources import ContentFile, list_content
from .content.sync import default_image_cache
from .site_index import site_index


class PublishedFiles:
    """Output path -> file, worked out again when the content changed."""

    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir
        self._made_for: object = None
        self._files: dict[str, Path] = {}

    def find(self, path_info: str, base_path: str, files: tuple[ContentFile, ...] | None) -> Path | None:
        """The file published at ``path_info``, or None. ``files``: the content
        folder's files when last synced (``list_content``), None after a
        failed sync."""
        if files is None or files is not self._made_for:
            self._files = self._collect(list_content(self.content_dir) if files is None else files)
            self._made_for = files
        return self._files.get(output_path(path_info, base_path))

    def _collect(self, files: tuple[ContentFile, ...]) -> dict[str, Path]:
        index = site_index()
        # The preview's index then also knows which files the site publishes,
        # as the build's does (root-relative links to them are checked).
        index.use_content_files(find_content_files(self.content_dir, files).files)
        files = dict(index.published_content())
        cache = default_image_cache()
        files.update((relative, cache / name) for relative, name in image_copies(cache).items())
        return files


def output_path(path_info: str, base_path: str) -> str:
    """The output file a request names (``path_info`` as the server decoded
    it). Post bodies carry the site's base path in their links (the sync
    writes them for the published site), while the preview serves the site
    from its root: both forms name the same file."""
    relative = path_info.lstrip("/")
    base = base_path.strip("/")
    if base and relative.startswith(base + "/"):
        relative = relative[len(base) + 1 :]
    return relative
