"""Files from untrusted repositories: what may be read, and how files are written."""
