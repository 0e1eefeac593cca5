netsh ipsec static add policy name=SecurePolicy
netsh ipsec static set defaultrule policy=SecurePolicy qmpfs=yes activate=yes qmsecmethods="3DES-SHA1;AES128-SHA256" kerberos=yes psk=yourPreSharedKey
netsh ipsec static set defaultrule policy=Nope activate=no
