netsh ipsec static set store location=domain domain=MyDomain.com
netsh ipsec static add policy name=Dom assign=yes
netsh ipsec static add filteraction name=B action=block
netsh ipsec static add filter filterlist=L srcaddr=me dstaddr=10.30.0.1
netsh ipsec static add rule name=R policy=Dom filterlist=L filteraction=B
