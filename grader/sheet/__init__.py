"""Practice-sheet templates: schema, geometry, printing and the QR identity."""
