import os

# Keras 3 is an oracle for the Keras tests; it runs on the torch backend here (tensorflow is optional).
os.environ.setdefault("KERAS_BACKEND", "torch")

# --- golden fixtures (tests/test_golden.py): `pytest --update-golden` rewrites the anchors.
# Registered here: pytest only reads pytest_addoption from conftests loaded at startup.
def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the # E: / # revealed: anchors in tests/golden/*.py from the checker's output")
