"""Views of the foundation, one module per area."""
