"""The ``disburse`` command line: each module registers its commands' arguments and prints their results.

Commands get their services from the composition root (main.py) through :class:`~adapters.cli.wiring.Wiring`;
commands that need settings, the HTTP server or another adapter stay in main.py.
"""
