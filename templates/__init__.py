"""Jinja2 templates of derive, shipped inside the package as ``derive.templates``."""
