"""Exercises: scenarios, answer keys, handouts and where keys are kept."""
