"""Portal-true activity records: every activity in the national portal's own terms."""
