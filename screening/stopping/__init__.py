"""When to stop screening: ``rule`` is the statistical test (pure), ``checks`` the lead's
recorded "am I done?" check in a review."""
