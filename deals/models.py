"""Deal registrations, conflicts and their history."""
