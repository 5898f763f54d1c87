"""Monthly recaps per Pokja, the city dashboard and the monthly report hand-in."""
