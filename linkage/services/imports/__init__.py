"""Importing providers from a spreadsheet: reading (guards), the kinds' columns, and the batches."""
