@echo off
netsh ipsec static ^
add policy name=P assign=yes
netsh ipsec static ^
  add filteraction name=B action=block
netsh ipsec static add filter filterlist=L ^
srcaddr=me dstaddr=10.7.7.7
netsh ipsec static add rule name=R policy=P filterlist=L filteraction=B
