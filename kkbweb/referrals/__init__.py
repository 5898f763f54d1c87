"""Civil-document referrals (rujukan adminduk)."""
