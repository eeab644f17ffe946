"""Base classes shared by rule files: a rule file imports these, never another rule file."""
