"""The coordinator's workflow: spreadsheets in (import, template), spreadsheets out (export), and a report.

A regional coordinator keeps the week's dwellings and households in Excel, not in JSON. This package turns
such a workbook (or a folder of CSV files) into a ``matcher.instance/1`` document with every problem
located by sheet, row and column, writes a ready-to-fill template, writes a proposal back as a printable
workbook, and renders one self-contained HTML report to mail around.

Modules: ``columns`` (the sheets and headers, Dutch and English), ``cells`` (reading one cell),
``spreadsheet_import``, ``template``, ``outcome`` (a proposal joined to its instance), ``spreadsheet_export``
and ``report``.
"""
