"""arrears adapters/engine."""
