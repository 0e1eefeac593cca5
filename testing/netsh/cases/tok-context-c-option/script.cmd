netsh -c "ipsec static" add policy name=P assign=yes
netsh -c ipsec static add filteraction name=B action=block
netsh ipsec static add filter filterlist=L srcaddr=me dstaddr=10.2.0.0 dstmask=16
netsh ipsec static add rule name=R policy=P filterlist=L filteraction=B
