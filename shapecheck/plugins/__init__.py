"""Framework object semantics (torch modules, Keras models), keyed by qualified name."""
