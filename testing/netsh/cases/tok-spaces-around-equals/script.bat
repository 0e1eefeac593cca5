netsh ipsec static add policy name = SECCPP
netsh ipsec static add filteraction name = Blocked action = block
netsh ipsec static add filter filterlist = wanna srcaddr=Any dstaddr = Me dstport = 445 protocol = TCP
netsh ipsec static add filter filterlist=wanna srcaddr= any dstaddr= me protocol= udp dstport= 137
netsh ipsec static add rule name=R policy=SECCPP filterlist=wanna filteraction=Blocked
netsh ipsec static set policy name = SECCPP assign = y
