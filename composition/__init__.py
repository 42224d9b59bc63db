"""The composition root by feature: the wiring main.py re-exports (see main.py)."""
