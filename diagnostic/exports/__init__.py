"""Exports for follow-up meetings: PDF report, Excel workbook, JSON assessment file."""
