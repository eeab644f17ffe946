"""The meshlint language server (``meshlint lsp``)."""
