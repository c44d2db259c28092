"""Summary tables, exchange rates and reconciliation findings."""
