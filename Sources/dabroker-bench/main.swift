print("dabroker-bench: not implemented yet")
