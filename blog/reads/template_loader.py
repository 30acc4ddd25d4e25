"""A template loader that tells the build which templates each page used.

It wraps the loaders Django would use (the cached filesystem and app loaders)
and records, for the page being rendered, which file each template name
resolved to and what that file said (blog/reads/recorder.py). Every template a page
renders is found by name through the engine, whether it is the view's own
template, an ``{% extends %}`` parent, an ``{% include %}`` or a fragment, so
nothing is missed when a user adds or overrides one.
"""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loaders.base import Loader as BaseLoader

from .recorder import record_value

# Fact kinds (blog/reads/facts.py): which file a name resolves to, and its source.
RESOLVED = "template"
SOURCE = "template-file"
MISSING = ""


class Loader(BaseLoader):
    def __init__(self, engine, loaders):
        self.loaders = engine.get_template_loaders(loaders)
        super().__init__(engine)

    def get_dirs(self):
        for loader in self.loaders:
            if hasattr(loader, "get_dirs"):
                yield from loader.get_dirs()

    def reset(self):
        for loader in self.loaders:
            if hasattr(loader, "reset"):
                loader.reset()

    def resolved_file(self, template_name: str) -> str:
        """The file ``template_name`` resolves to (MISSING for none), found in
        the order get_template finds it, but without compiling it: the build
        asks this of every template name before it renders a page
        (blog/reads/facts.py), and a syntax error must then come from the
        page that renders the template, with its file and line."""
        for loader in self.loaders:
            for origin in loader.get_template_sources(template_name):
                try:
                    origin.loader.get_contents(origin)
                except TemplateDoesNotExist:
                    continue
                return origin.name
        return MISSING

    def get_template(self, template_name, skip=None):
        tried = []
        for loader in self.loaders:
            try:
                template = loader.get_template(template_name, skip)
            except TemplateDoesNotExist as missing:
                tried.extend(missing.tried)
                continue
            origin = template.origin.name
            if skip is None:
                # With ``skip`` ({% extends %} of a template by its own name)
                # the name resolves past the skipped files; the file found
                # is still recorded below.
                record_value(RESOLVED, template_name, origin)
            record_value(SOURCE, origin, template.source)
            return template
        if skip is None:
            record_value(RESOLVED, template_name, MISSING)
        raise TemplateDoesNotExist(template_name, tried=tried)
