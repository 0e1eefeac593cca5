netsh ipsec dynamic add rule srcaddr=any dstaddr=any mmpolicy=Nope actioninbound=block actionoutbound=block
netsh ipsec dynamic add mmpolicy name=M
netsh ipsec dynamic add rule srcaddr=me dstaddr=10.80.0.1 mmpolicy=M
netsh ipsec dynamic add qmpolicy name=Q pfsgroup=grp1
netsh ipsec dynamic add rule srcaddr=me dstaddr=10.80.0.2 mmpolicy=M qmpolicy=Q actioninbound=negotiate actionoutbound=block psk=k
netsh ipsec dynamic add rule srcaddr=me dstaddr=10.80.0.3 mmpolicy=M qmpolicy=Q psk=k
netsh ipsec dynamic delete mmpolicy name=M
netsh ipsec dynamic set rule srcaddr=me dstaddr=10.99.0.1 mmpolicy=M
