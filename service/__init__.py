"""The HTTP service: routes parse, call the domain modules and serialise."""
