"""Standard IKE initiators (IKEv1 main + quick mode with PSK or RSA/ECDSA signatures, RFC 2409;
IKEv2 with a pre-shared key, RFC 7296) for ``proto probe --ike --full`` against e.g. strongSwan."""
