"""The abstract interpreter, split by responsibility (see docs/engine.md)."""
