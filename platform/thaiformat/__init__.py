"""Thai formatting: Buddhist-Era dates in Asia/Bangkok time, Thai digits."""
