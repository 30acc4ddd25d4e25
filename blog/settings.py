"""Django settings for the blog generator.

The site's own settings (title, base URL, time zone, ...) live in the author's
``content/site.toml``, not here: see ``blog/siteconfig.py``. This module only
wires Django together.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

# Where the author's Markdown lives, and where the build keeps its cache.
# `build --content/--cache-dir` override both for one run.
BLOG_CONTENT_DIR = Path(os.environ.get("BLOG_CONTENT_DIR", BASE_DIR / "content"))
BLOG_CACHE_DIR = Path(os.environ.get("BLOG_CACHE_DIR", BASE_DIR / ".cache"))
# SQLite cannot create a database in a missing folder, and Django 6's system
# checks open the database before any command runs.
BLOG_CACHE_DIR.mkdir(parents=True, exist_ok=True)

# The build signs nothing and serves no sessions, so a fresh key per process is
# fine and no author ever has to manage a secret.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()

# The preview server is a development tool; the build switches DEBUG off so that
# static URLs carry their hashed names.
DEBUG = os.environ.get("BLOG_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    # Before staticfiles, so that the blog's runserver (the live preview) wins.
    "blog.apps.BlogConfig",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Last: its ready() imports ROOT_URLCONF and patches django.urls.path.
    "django_distill",
]

MIDDLEWARE = [
    # Only in `manage.py runserver`: syncs content/ and adds the live-reload script.
    "blog.preview.PreviewMiddleware",
    "blog.middleware.SiteContextMiddleware",
]

ROOT_URLCONF = "blog.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Marks an exception raised in a template with the file and line,
            # for the build and the preview to report (blog/build/template_errors.py);
            # the build renders no slower with it.
            "debug": True,
            # Django's cached loaders, inside one that tells the build which
            # templates each page used (blog/reads/template_loader.py).
            "loaders": [
                (
                    "blog.reads.template_loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "context_processors": [
                "blog.context_processors.site",
            ],
            "builtins": ["blog.templatetags.blog_tags"],
        },
    },
]

WSGI_APPLICATION = "blog.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BLOG_CACHE_DIR / "blog.sqlite3",
        # Keep the connection between requests: the build renders thousands of
        # pages through the request cycle, and reconnecting costs ~1 ms each.
        "CONN_MAX_AGE": None,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The site's language and time zone come from site.toml and are activated per
# request by SiteContextMiddleware; these are only the fallbacks.
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BLOG_CACHE_DIR / "static"
STORAGES = {
    "staticfiles": {
        "BACKEND": "blog.reads.static_storage.RecordedManifestStaticFilesStorage",
    },
}

# Every page of a static site is public; nothing here is a secret or a session.
SECURE_CONTENT_TYPE_NOSNIFF = True
