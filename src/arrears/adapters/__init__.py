"""arrears adapters."""
