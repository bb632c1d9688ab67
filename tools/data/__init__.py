"""Toy dataset generators (one interface: ``make(root, train, val, size, seed)``), their stamps and checks."""
