"""HTTP routes: parse, call the domain modules, serialise. No SQL, no rules here."""
