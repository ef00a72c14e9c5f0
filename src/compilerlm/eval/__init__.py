"""Evaluation and reporting of tuning results, kept apart from the search so reports can be rebuilt from saved JSON."""
