"""``manage.py import_wordpress``: a WordPress export (WXR) into ``content/``.

The export is read twice, streaming: the first pass collects what every item
needs to know of the others (new URLs, attachments), the second converts and
writes one item at a time, so memory stays bounded whatever the export's size.
The entry point is ``importer.run_import``.
"""
