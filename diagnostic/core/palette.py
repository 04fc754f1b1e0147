"""Colours shared by the screen radar (plotly) and the PDF radar (matplotlib)."""

COLORS = {"current": "#0f766e", "target": "#ea580c", "previous": "#6b7280"}
