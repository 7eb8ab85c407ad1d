"""Recognition of handwritten content on an aligned sheet (digit boxes, ...)."""
