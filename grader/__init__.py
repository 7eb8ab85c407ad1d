"""grader: grade photos of hand-filled C.Hasil practice sheets for KPPS training."""
__version__ = "0.1.0"
