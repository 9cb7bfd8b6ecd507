"""Judging sampled values: encoding and statistics (:mod:`.analysis`), decryption with a key
(:mod:`.decrypt`), MAC/signature verification (:mod:`.integrity`) and the verdict (:mod:`.verdict`)."""
