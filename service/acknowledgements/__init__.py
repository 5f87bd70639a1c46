"""Acknowledging incidents: the first acknowledgement stands."""
