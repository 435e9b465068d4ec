"""Pure shape math, once per family: shapes and ints in, a shape out or a ShapeError; no Call, no qualname."""
