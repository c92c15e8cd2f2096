"""Run the real server for tests that need real HTTP (the launcher lives in scripts/serve.py)."""
from scripts.serve import free_port, running_server  # noqa: F401
