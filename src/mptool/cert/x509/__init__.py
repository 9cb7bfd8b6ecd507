"""Reading certificates: DER/PEM loading, strict parsing with the raw slices SM2 verification needs,
names, extensions, OIDs, profiles, signature verification and CRLs."""
