"""One function per use case. Each owns its transaction, then announces what changed."""
