"""arrears adapters/store."""
