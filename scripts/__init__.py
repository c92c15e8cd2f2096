"""Build, validate and import the PyCon US 2026 dataset."""
