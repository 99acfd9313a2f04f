print("dabroker: not implemented yet")
