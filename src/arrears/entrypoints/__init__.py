"""arrears entrypoints."""
