"""Poktan: the groups of families (BKB, BKR, BKL, UPPKA, PIK-R), their member
families and their sessions (pertemuan penyuluhan) with a family roll call."""
