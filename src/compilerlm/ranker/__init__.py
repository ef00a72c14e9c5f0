"""The flag-tuning ranker: a pass-list library learned from the corpus and a model that orders it per module."""
