"""The lint rules, one module per code: shipped in the wheel as ``shapecheck.rules``."""
