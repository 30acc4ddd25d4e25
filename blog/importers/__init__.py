"""Importers that bring another blog's content into ``content/``."""
