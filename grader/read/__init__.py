"""Reading an aligned sheet: every field with a value, a confidence and the crop it came from."""
