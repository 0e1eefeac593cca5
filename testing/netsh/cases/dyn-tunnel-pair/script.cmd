netsh ipsec dynamic add mmpolicy name=M
netsh ipsec dynamic add qmpolicy name=Q
netsh ipsec dynamic add rule srcaddr=10.1.0.0 srcmask=16 dstaddr=10.2.0.0 dstmask=16 mirrored=no mmpolicy=M qmpolicy=Q tunneldstaddress=198.51.100.2 psk=t
netsh ipsec dynamic add rule srcaddr=10.2.0.0 srcmask=16 dstaddr=10.1.0.0 dstmask=16 mirrored=no mmpolicy=M qmpolicy=Q tunneldstaddress=198.51.100.1 psk=t
