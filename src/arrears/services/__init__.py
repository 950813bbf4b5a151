"""arrears services."""
