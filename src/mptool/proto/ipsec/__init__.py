"""The IKE / ESP wire format: :mod:`.ike` decodes ISAKMP (IKEv1) and IKEv2 messages."""
