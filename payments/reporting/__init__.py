"""Reporting: open data for the public (the checkbook), and the figures managers and the IRS read."""
