"""The headless library: domain types, rules, storage, claims, imports, exports and PDFs.

Nothing in this package imports Qt; the GUI and the command line both call it.
"""
