"""Bank file formats shared by rails and statement imports: NACHA records, readers and writers; pain.002
and the hardened XML parser. A lower layer: rails and statements import it, it imports neither."""
