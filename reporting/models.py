"""Partner sales reports, normalised sales lines and reporting summaries."""
