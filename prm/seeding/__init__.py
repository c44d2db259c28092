"""Demo and benchmark data for every app: the top of the import graph.

Nothing imports this package; it may import any app. docs/architecture.md.
"""
