"""Application services: one module per use case family, each taking a Context (unit of work, actor, language).

Authorisation is checked here (through `access`), once, never in a page.
"""
