"""ISO 20022 messages read by rails and statement imports alike: pain.002 status reports and the
hardened XML parser."""
