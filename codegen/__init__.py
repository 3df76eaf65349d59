"""Code generator."""
