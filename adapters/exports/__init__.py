"""Exports people open in spreadsheets (CSV), shared by the JSON API, the pages and the CLI."""
