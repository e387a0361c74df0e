"""The domain core of Convene: pure Python, no Flask, no database, no clock, no global randomness."""
