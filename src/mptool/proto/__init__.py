"""Protocol analysis (TLS, TLCP, RFC 8998, IKE/IPSec) and probing."""
