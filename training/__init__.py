"""Training-only code (not needed at run time)."""
