"""Grading: verdicts, rules, cross-checks, score, feedback."""
