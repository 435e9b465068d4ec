"""The --fix/--diff fixtures are programs to read, never tests to collect or run."""
collect_ignore_glob = ["*.py"]
