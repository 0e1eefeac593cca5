netsh ipsec static add policy name=safedog assign=yes
netsh ipsec static add filteraction name=Permit action=permit
netsh ipsec static add filteraction name=Block action=block
netsh ipsec static add filter filterlist=AllAccess srcaddr=Me dstaddr=Any
netsh ipsec static add rule name=BlockAllAccess policy=safedog filterlist=AllAccess filteraction=Block
netsh ipsec static add filter filterlist=Open srcaddr=Any dstaddr=Me dstport=80 protocol=TCP
netsh ipsec static add rule name=AllowOpen policy=safedog filterlist=Open filteraction=Permit
