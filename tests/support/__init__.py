"""Plain modules behind tests/conftest.py: the test database, isolated clients, the live server and
a query counter."""
