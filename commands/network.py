"""``!netzwerk`` — the inventory of the education landscape at a glance."""
