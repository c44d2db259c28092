"""Channel managers' workspace: territories, announcements, work queues."""
