"""Helpers shared by every module: parameter validation, randomness, progress, safe file writes."""
