"""Content is data: lessons, pathways and credentials as Markdown files, with their loader and linter.

Public entry points: `content.loader.load_curriculum` and `content.loader.load_lesson`.
"""
