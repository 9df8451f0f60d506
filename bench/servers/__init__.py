"""Reference servers the benchmark measures yspbx against (the ceilings of the stack)."""
