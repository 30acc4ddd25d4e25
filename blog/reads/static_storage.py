"""Static files with hashed names, telling the build which ones each page references."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

from .recorder import record_value

# The fact kind (blog/reads/facts.py): a static file's URL, hash included.
STATIC = "static"


class RecordedManifestStaticFilesStorage(ManifestStaticFilesStorage):
    def url(self, name, force=False):
        url = super().url(name, force)
        record_value(STATIC, name, url)
        return url
