"""The citizen's pages: report without an account, follow the case with a receipt."""
