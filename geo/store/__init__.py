"""The only I/O: the store Protocol and its implementations."""
