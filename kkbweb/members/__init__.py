"""The member registry of each Pokja (Anggota Pokja), which feeds every roll call."""
