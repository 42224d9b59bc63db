"""The NACHA disbursement rail: ``rail.py`` hands batches to the bank as NACHA files written by
``adapters.formats.nacha``."""
